using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MetricPipeline.Cli.Tests;

public class DetectCommandTests
{
    [Fact]
    public async Task Detect_reports_a_level_shift_with_levels_and_a_spike_as_an_anomaly()
    {
        var csv = new StringBuilder("t,y\n");
        for (var t = 0; t < 24 * 28; t++)
        {
            var y = (t >= 400 ? 120 : 100) + (10 * Math.Sin(2 * Math.PI * t / 24)) + (0.5 * Math.Cos(t * 1.7)) + (t == 200 ? 30 : 0);
            csv.Append(CultureInfo.InvariantCulture, $"{t},{y:R}\n");
        }

        var path = Path.Combine(Path.GetTempPath(), $"detect-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, csv.ToString());
        try
        {
            var result = await CliRunner.RunAsync("detect", "--input", path, "--period", "24");

            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.StdOut);
            var shift = Assert.Single(json.RootElement.GetProperty("changePoints").EnumerateArray());
            Assert.InRange(shift.GetProperty("index").GetInt32(), 394, 406);
            Assert.Equal(0.2, shift.GetProperty("relativeChange").GetDouble(), 0.02);
            Assert.True(shift.TryGetProperty("before", out _) && shift.TryGetProperty("after", out _) && shift.TryGetProperty("score", out _));
            var anomalies = json.RootElement.GetProperty("anomalies").EnumerateArray().Select(a => a.GetProperty("index").GetInt32()).ToArray();
            Assert.Contains(200, anomalies);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_period_longer_than_half_the_series_fails_with_one_line_on_stderr()
    {
        var result = await CliRunner.RunAsync("detect", "--input", TestData.PathOf("tcpd", "csv", "nile.csv"), "--period", "60");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("period 60", result.StdErr);
        Assert.Single(result.StdErr.Trim().Split('\n'));
    }
}
