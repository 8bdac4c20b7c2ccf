using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MetricPipeline.Cli.Tests;

/// <summary>
/// Runs the real <c>metricpipe decompose</c> on every manifest case that has a <c>cli_equivalent</c> and compares its
/// CSV with the reference of record. Tolerance: max |ours − reference| ≤ 1e-9 · max(1, max|y|) for STL and
/// 1e-6 · range(y) for MSTL, per component; t and y must be carried through exactly.
/// </summary>
public sealed partial class DecomposeCommandTests
{
    private static readonly Lazy<JsonDocument> Manifest = new(() => JsonDocument.Parse(File.ReadAllText(StlPath("manifest.json"))));

    public static TheoryData<string> CliCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases())
        {
            if (c.GetProperty("cli_equivalent").ValueKind == JsonValueKind.String)
            {
                data.Add(c.GetProperty("case").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CliCases))]
    public async Task Decompose_writes_the_reference_decomposition(string caseName)
    {
        var c = Cases().Single(x => x.GetProperty("case").GetString() == caseName);
        var files = c.GetProperty("files");
        var reference = ReadCsv(File.ReadAllText(StlPath(files.GetProperty(c.GetProperty("reference_of_record").GetString()!).GetString()!)));
        var input = ReadCsv(File.ReadAllText(StlPath(files.GetProperty("input").GetString()!)));

        var result = await CliRunner.RunAsync(Arguments(c.GetProperty("cli_equivalent").GetString()!));

        Assert.True(result.ExitCode == 0, result.StdErr);
        var output = ReadCsv(result.StdOut);
        Assert.Equal(["t", "y", "seasonal", "trend", "remainder"], output.Header);
        AssertSameSeries(input, output);
        var tolerance = 1e-9 * Math.Max(1.0, reference.Column("y").Max(Math.Abs));
        foreach (var component in new[] { "seasonal", "trend", "remainder" })
        {
            Assert.InRange(MaxAbsDifference(output.Column(component), reference.Column(component)), 0.0, tolerance);
        }
    }

    [Fact]
    public async Task Decompose_with_two_periods_writes_the_forecast_mstl_decomposition()
    {
        var mstl = Manifest.Value.RootElement.GetProperty("mstl")[0];
        var reference = ReadCsv(File.ReadAllText(StlPath(mstl.GetProperty("files").GetProperty("r").GetString()!)));
        var input = ReadCsv(File.ReadAllText(StlPath(mstl.GetProperty("files").GetProperty("input").GetString()!)));

        var result = await CliRunner.RunAsync(Arguments(mstl.GetProperty("cli_equivalent").GetString()!));

        Assert.True(result.ExitCode == 0, result.StdErr);
        var output = ReadCsv(result.StdOut);
        Assert.Equal(["t", "y", "trend", "seasonal24", "seasonal168", "remainder"], output.Header);
        AssertSameSeries(input, output);
        var y = reference.Column("y");
        var tolerance = 1e-6 * (y.Max() - y.Min());
        foreach (var component in new[] { "trend", "seasonal24", "seasonal168", "remainder" })
        {
            Assert.InRange(MaxAbsDifference(output.Column(component), reference.Column(component)), 0.0, tolerance);
        }
    }

    [Fact]
    public async Task Without_a_y_column_the_last_column_is_the_series_and_t_is_the_index()
    {
        using var input = TempCsv("day,sessions", Enumerable.Range(0, 40).Select(i => $"d{i},{10 + (i % 7) + (0.1 * i)}"));

        var result = await CliRunner.RunAsync("decompose", "--input", input.Path, "--period", "7");

        Assert.True(result.ExitCode == 0, result.StdErr);
        var output = ReadCsv(result.StdOut);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i.ToString(CultureInfo.InvariantCulture)), output.Rows.Select(r => r[0]));
        Assert.Equal(10 + (39 % 7) + (0.1 * 39), output.Column("y")[39]);
    }

    [Fact]
    public async Task A_t_column_is_carried_through_as_written()
    {
        using var input = TempCsv("t,other,y", Enumerable.Range(0, 40).Select(i => $"2026-01-{1 + (i % 28):00}T{i % 24:00}:00Z,x,{(i % 5) + (0.01 * i)}"));

        var result = await CliRunner.RunAsync("decompose", "--input", input.Path, "--period", "5", "--seasonal", "7");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("2026-01-01T00:00Z", ReadCsv(result.StdOut).Rows[0][0]);
    }

    [Fact]
    public async Task A_missing_input_file_is_one_line_on_stderr()
    {
        var result = await CliRunner.RunAsync("decompose", "--input", "/definitely/not/here.csv", "--period", "12");

        AssertOneLineError(result, "does not exist");
    }

    [Fact]
    public async Task A_non_numeric_value_names_its_line()
    {
        using var input = TempCsv("t,y", Enumerable.Range(0, 40).Select(i => i == 5 ? "5,abc" : $"{i},{i % 4}"));

        var result = await CliRunner.RunAsync("decompose", "--input", input.Path, "--period", "4");

        AssertOneLineError(result, "line 7: 'abc'");
    }

    [Fact]
    public async Task Too_few_points_for_the_period_is_refused()
    {
        using var input = TempCsv("t,y", Enumerable.Range(0, 24).Select(i => $"{i},{i % 12}"));

        var result = await CliRunner.RunAsync("decompose", "--input", input.Path, "--period", "12");

        AssertOneLineError(result, "more than two full periods");
    }

    [Theory]
    [InlineData("--seasonal", "weekly", "'periodic'")]
    [InlineData("--trend", "abc", "not a whole number")]
    [InlineData("--seasonal-degree", "2", "degree must be 0 or 1")]
    [InlineData("--period", "0", "≥ 2")]
    public async Task Bad_option_values_are_one_line_on_stderr(string option, string value, string expected)
    {
        using var input = TempCsv("t,y", Enumerable.Range(0, 40).Select(i => $"{i},{i % 4}"));
        var args = new List<string> { "decompose", "--input", input.Path, "--period", "4", option, value };
        if (option == "--period")
        {
            args.RemoveRange(3, 2);
        }

        var result = await CliRunner.RunAsync([.. args]);

        AssertOneLineError(result, expected);
    }

    [Fact]
    public async Task A_missing_period_is_one_line_on_stderr()
    {
        var result = await CliRunner.RunAsync("decompose", "--input", StlPath("inputs/co2.csv"));

        AssertOneLineError(result, "--period");
    }

    // "metricpipe decompose --input inputs/x.csv …   (note)": the note is dropped, the input made absolute. The
    // nottem note says it also needs t.jump = 1, which --trend-jump provides.
    private static string[] Arguments(string cliEquivalent)
    {
        var note = cliEquivalent.Contains('(', StringComparison.Ordinal) ? cliEquivalent[cliEquivalent.IndexOf('(', StringComparison.Ordinal)..] : string.Empty;
        var words = cliEquivalent[..(cliEquivalent.Length - note.Length)].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        var input = words.IndexOf("--input") + 1;
        words[input] = StlPath(words[input]);
        if (TrendJumpNote().IsMatch(note))
        {
            words.AddRange(["--trend-jump", "1"]);
        }

        return [.. words];
    }

    [GeneratedRegex(@"t\.jump\s*=\s*1")]
    private static partial Regex TrendJumpNote();

    private static void AssertOneLineError(CliResult result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var lines = result.StdErr.TrimEnd('\n', '\r').Split('\n');
        Assert.Single(lines);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    private static void AssertSameSeries(Table input, Table output)
    {
        Assert.Equal(input.Rows.Select(r => r[0]), output.Rows.Select(r => r[0]));
        Assert.Equal(input.Column("y"), output.Column("y"));
    }

    private static JsonElement[] Cases() => [.. Manifest.Value.RootElement.GetProperty("cases").EnumerateArray()];

    private static string StlPath(string file) => TestData.PathOf("reference", "stl", file);

    private static double MaxAbsDifference(double[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        return actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
    }

    private static Table ReadCsv(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new Table(lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToArray());
    }

    private static TempFile TempCsv(string header, IEnumerable<string> rows)
    {
        var file = new TempFile(Path.Combine(Path.GetTempPath(), $"decompose-{Guid.NewGuid():N}.csv"));
        File.WriteAllLines(file.Path, rows.Prepend(header));
        return file;
    }

    private sealed record Table(string[] Header, string[][] Rows)
    {
        public double[] Column(string name)
        {
            var index = Array.IndexOf(Header, name);
            Assert.True(index >= 0, $"column {name} missing");
            return Rows.Select(r => double.Parse(r[index], CultureInfo.InvariantCulture)).ToArray();
        }
    }

    private sealed record TempFile(string Path) : IDisposable
    {
        public void Dispose() => File.Delete(Path);
    }
}
