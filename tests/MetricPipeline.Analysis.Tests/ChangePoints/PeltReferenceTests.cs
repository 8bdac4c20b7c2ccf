using System.Text.Json;
using MetricPipeline.Analysis.ChangePoints;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Analysis.Tests.ChangePoints;

/// <summary>PELT with the Normal mean cost and MBIC against R's changepoint 2.3 (reference/changepoint, objectives to 15 significant digits).</summary>
public class PeltReferenceTests
{
    public static TheoryData<string> Cases() =>
    [
        "cp1_single_mean_shift", "cp2_multiple_mean_shifts", "cp3_variance_shift", "cp4_trend_change",
        "cp5_seasonal_plus_shift", "cp6_mean_then_variance", "cp7_null_no_change",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pelt_mean_mbic_matches_R_changepoint(string name)
    {
        var (y, reference) = Load(name, "pelt_mean_mbic");
        var result = Pelt.Detect(new NormalMeanCost(y, mbicLengthTerm: true), Penalty.Mbic(y.Length), minSegmentLength: 1);

        Assert.Equal(reference.GetProperty("penalty_per_change").GetDouble(), Penalty.Mbic(y.Length), 1e-12);
        Assert.Equal(ChangePoints(reference), result.ChangePoints);
        var expected = reference.GetProperty("objective").GetDouble();
        Assert.InRange(Math.Abs(result.Objective - expected), 0, 1e-9 * Math.Abs(expected));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pelt_mean_mbic_on_the_scaled_series_matches_R_changepoint(string name)
    {
        var (y, reference) = Load(name, "pelt_mean_mbic_scaled");
        var s = reference.GetProperty("scale_s").GetDouble();
        var scaled = y.Select(v => v / s).ToArray();
        var result = Pelt.Detect(new NormalMeanCost(scaled, mbicLengthTerm: true), Penalty.Mbic(y.Length), minSegmentLength: 1);

        Assert.Equal(ChangePoints(reference), result.ChangePoints);
        var expected = reference.GetProperty("objective").GetDouble();
        Assert.InRange(Math.Abs(result.Objective - expected), 0, 1e-9 * Math.Abs(expected));
    }

    [Fact]
    public void Pelt_finds_the_single_shift_of_a_noiseless_step()
    {
        double[] y = [.. Enumerable.Repeat(0.0, 50), .. Enumerable.Repeat(5.0, 50)];
        Assert.Equal([50], Pelt.Detect(new NormalMeanCost(y), 10).ChangePoints);
    }

    private static (double[] Y, JsonElement Reference) Load(string name, string method)
    {
        var y = TcpdCorpus.ParseCsvColumn(ReadColumnY(TestData.PathOf("reference", "changepoint", name + ".csv")));
        var json = JsonDocument.Parse(File.ReadAllText(TestData.PathOf("reference", "changepoint", name + ".json")));
        return (y, json.RootElement.GetProperty("r_changepoint").GetProperty(method).Clone());
    }

    /// <summary>The reference CSVs are t,y,true_mean,true_sd: keep t,y so the parser's "last column" is y.</summary>
    private static string ReadColumnY(string path) =>
        string.Join('\n', File.ReadAllLines(path).Select(line => string.Join(',', line.Split(',').Take(2))));

    private static int[] ChangePoints(JsonElement reference) =>
        [.. reference.GetProperty("change_points").EnumerateArray().Select(e => e.GetInt32())];
}
