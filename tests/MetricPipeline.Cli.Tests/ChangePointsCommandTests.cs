using System.Text.Json;

namespace MetricPipeline.Cli.Tests;

public class ChangePointsCommandTests
{
    [Fact]
    public async Task Changepoints_writes_the_indices_of_new_segments_as_json()
    {
        var result = await CliRunner.RunAsync("changepoints", "--input", TestData.PathOf("reference", "changepoint", "cp1_single_mean_shift.csv"));

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        var points = json.RootElement.GetProperty("changePoints").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var single = Assert.Single(points);
        Assert.InRange(single, 245, 255); // true change at 250
    }

    [Fact]
    public async Task Changepoints_finds_nothing_in_the_null_series()
    {
        var result = await CliRunner.RunAsync("changepoints", "--input", TestData.PathOf("reference", "changepoint", "cp7_null_no_change.csv"), "--method", "binseg");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\"changePoints\":[]}", result.StdOut.Trim());
    }

    [Fact]
    public async Task An_unknown_method_fails_with_one_line_on_stderr()
    {
        var result = await CliRunner.RunAsync("changepoints", "--input", TestData.PathOf("reference", "changepoint", "cp1_single_mean_shift.csv"), "--method", "magic");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("magic", result.StdErr);
        Assert.Single(result.StdErr.Trim().Split('\n'));
    }
}
