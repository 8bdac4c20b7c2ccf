using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>The pipeline's HTTP contract as the tests use it.</summary>
public sealed class PipelineApi(ServerProcess server)
{
    private readonly HttpClient ingest = server.Client(PipelineEnvironment.IngestKey);
    private readonly HttpClient admin = server.Client(PipelineEnvironment.AdminKey);
    private readonly HttpClient anonymous = server.Client();

    public HttpClient Anonymous => anonymous;

    public async Task ApplyRegistryAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await admin.PostAsync("v1/registry", content);
        Assert.True(response.IsSuccessStatusCode, $"registry refused: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonElement> SendAsync(IEnumerable<TestEvent> events, bool ndjson = false)
    {
        var text = ndjson ? TestTelemetry.ToNdjson(events) : TestTelemetry.ToJsonArray(events);
        using var response = await EventSender.PostAsync(ingest, () => new StringContent(text, Encoding.UTF8, ndjson ? "application/x-ndjson" : "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ingest answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Hourly (or other grain) values of one metric segment over [from, to).</summary>
    public async Task<List<(DateTime T, double? Value)>> SeriesAsync(string metric, string segment, DateTime from, DateTime to, string grain = "hour", string? window = null)
    {
        var url = $"v1/metrics/{metric}/series?grain={grain}&from={Iso(from)}&to={Iso(to)}"
            + (segment.Length == 0 ? "" : "&segment=" + Uri.EscapeDataString(segment.Replace('=', ':')))
            + (window is null ? "" : "&window=" + window);
        var json = await anonymous.GetFromJsonAsync<JsonElement>(url);
        return [.. json.GetProperty("points").EnumerateArray().Select(p => (
            p.GetProperty("t").GetDateTime().ToUniversalTime(),
            p.GetProperty("value").ValueKind == JsonValueKind.Null ? (double?)null : p.GetProperty("value").GetDouble()))];
    }

    public async Task<Dictionary<string, double?>> SegmentTotalsAsync(string metric, DateTime from, DateTime to)
    {
        var json = await anonymous.GetFromJsonAsync<JsonElement>($"v1/metrics/{metric}/segments?from={Iso(from)}&to={Iso(to)}");
        return json.GetProperty("segments").EnumerateArray().ToDictionary(
            s => s.GetProperty("segment").GetString()!,
            s => s.GetProperty("total").ValueKind == JsonValueKind.Null ? (double?)null : s.GetProperty("total").GetDouble());
    }

    /// <summary>Polls until the metric's total over the range equals <paramref name="expected"/>; fails on timeout.</summary>
    public async Task WaitForTotalAsync(string metric, double expected, DateTime from, DateTime to, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        double? seen = null;
        while (DateTime.UtcNow < deadline)
        {
            seen = (await SegmentTotalsAsync(metric, from, to)).GetValueOrDefault("");
            if (seen == expected)
            {
                return;
            }

            Assert.False(seen > expected, $"'{metric}' total {seen} overshot the expected {expected}: something was counted twice");
            await Task.Delay(250);
        }

        Assert.Fail($"'{metric}' total is {seen}, expected {expected}, after {timeout}");
    }

    public static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
