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

    [Theory]
    [InlineData(26)]
    [InlineData(29)]
    public async Task After_a_30_percent_drop_of_a_product_count_weekends_are_not_shifts_because_seasonality_scales_with_the_level(int day)
    {
        // Five weeks of hourly counts: a daily cycle, weekends at 70 % of weekdays, 3 % noise, and a drop to 70 % in
        // the last weeks — after it the weekend dip is 30 % of a lower level, as a product's is.
        var random = new Random(5);
        var csv = new StringBuilder("t,y\n");
        var drop = (day * 24) + 10;
        for (var t = 0; t < 24 * 35; t++)
        {
            var weekend = t / 24 % 7 >= 5 ? 0.7 : 1;
            var level = t >= drop ? 0.7 : 1;
            var noise = 1 + (0.03 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            var y = 2500 * (1 + (0.6 * Math.Sin(2 * Math.PI * ((t % 24) - 9) / 24))) * weekend * level * noise;
            csv.Append(CultureInfo.InvariantCulture, $"{t},{Math.Round(y)}\n");
        }

        var path = Path.Combine(Path.GetTempPath(), $"detect-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, csv.ToString());
        try
        {
            var result = await CliRunner.RunAsync("detect", "--input", path, "--period", "24,168");

            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.StdOut);
            var shift = Assert.Single(json.RootElement.GetProperty("changePoints").EnumerateArray());
            Assert.InRange(shift.GetProperty("index").GetInt32(), drop - 2, drop + 2);
            Assert.Equal(-0.3, shift.GetProperty("relativeChange").GetDouble(), 0.02);

            // The additive decomposition of the same series reports weekday/weekend boundaries after the drop as shifts.
            var additive = await CliRunner.RunAsync("detect", "--input", path, "--period", "24,168", "--scale", "additive");
            Assert.Equal(0, additive.ExitCode);
            using var additiveJson = JsonDocument.Parse(additive.StdOut);
            Assert.True(additiveJson.RootElement.GetProperty("changePoints").GetArrayLength() > 1, additive.StdOut);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_unknown_scale_fails_with_one_line_on_stderr()
    {
        var result = await CliRunner.RunAsync("detect", "--input", TestData.PathOf("tcpd", "csv", "nile.csv"), "--period", "10", "--scale", "logarithmic");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--scale 'logarithmic' is unknown", result.StdErr);
        Assert.Single(result.StdErr.Trim().Split('\n'));
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
