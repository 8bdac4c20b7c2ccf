using System.Text.Json;
using System.Text.RegularExpressions;
using MetricPipeline.Analysis.Decomposition;

namespace MetricPipeline.Analysis.Tests.Decomposition;

/// <summary>One case of <c>reference/stl/manifest.json</c>: the input, R's parameters and the reference of record.</summary>
public sealed partial record StlReferenceCase(
    string Name,
    string RCall,
    string InputFile,
    string ReferenceFile,
    string? WeightsFile,
    StlParameters Effective)
{
    private static readonly Lazy<IReadOnlyDictionary<string, StlReferenceCase>> All = new(LoadAll);

    public static IReadOnlyDictionary<string, StlReferenceCase> Cases => All.Value;

    public static StlReferenceCase Named(string name) => Cases[name];

    public static string PathOf(string file) => TestData.PathOf("reference", "stl", file);

    public double[] Input() => ReferenceTable.Load(PathOf(InputFile))["y"];

    /// <summary>Options with only what R's call spelled out (period, s.window, robust, and any explicit window/degree/jump).</summary>
    public StlOptions OptionsAsInRCall()
    {
        var args = RCallArguments();
        int? Int(string key) => args.TryGetValue(key, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;
        return new StlOptions
        {
            Period = Effective.Period,
            SeasonalWindow = args["s.window"] == "periodic" ? null : Int("s.window"),
            SeasonalDegree = Int("s.degree") ?? 0,
            TrendWindow = Int("t.window"),
            LowPassWindow = Int("l.window"),
            SeasonalJump = Int("s.jump"),
            TrendJump = Int("t.jump"),
            LowPassJump = Int("l.jump"),
            Robust = args.TryGetValue("robust", out var robust) && robust == "TRUE",
        };
    }

    // The manifest's r_call of a `_jump1` case lost the base call's s.window/robust when the jumps were added,
    // so those cases take the base case's arguments plus s.jump = t.jump = l.jump = 1. A repeated name keeps the last value.
    private Dictionary<string, string> RCallArguments()
    {
        var args = new Dictionary<string, string>();
        const string jump1 = "_jump1";
        if (Name.EndsWith(jump1, StringComparison.Ordinal))
        {
            foreach (var (key, value) in Named(Name[..^jump1.Length]).RCallArguments())
            {
                args[key] = value;
            }
        }

        foreach (Match m in RArgument().Matches(RCall.Split('#')[0]))
        {
            args[m.Groups["name"].Value] = m.Groups["value"].Value.Trim('"');
        }

        return args;
    }

    [GeneratedRegex(@"(?<name>[a-z]\.?[a-z]*)\s*=\s*(?<value>""[a-z]+""|[A-Z]+|\d+)")]
    private static partial Regex RArgument();

    private static Dictionary<string, StlReferenceCase> LoadAll()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(PathOf("manifest.json")));
        var cases = new Dictionary<string, StlReferenceCase>();
        foreach (var c in manifest.RootElement.GetProperty("cases").EnumerateArray())
        {
            var r = c.GetProperty("r_params");
            var files = c.GetProperty("files");
            var ofRecord = c.GetProperty("reference_of_record").GetString()!;
            var periodic = r.GetProperty("s.window").ValueKind == JsonValueKind.String;
            var effective = new StlParameters(
                r.GetProperty("period").GetInt32(),
                r.GetProperty("s.window_passed_to_fortran").GetInt32(),
                r.GetProperty("s.degree").GetInt32(),
                r.GetProperty("t.window").GetInt32(),
                r.GetProperty("t.degree").GetInt32(),
                r.GetProperty("l.window").GetInt32(),
                r.GetProperty("l.degree").GetInt32(),
                r.GetProperty("s.jump").GetInt32(),
                r.GetProperty("t.jump").GetInt32(),
                r.GetProperty("l.jump").GetInt32(),
                r.GetProperty("inner").GetInt32(),
                r.GetProperty("outer").GetInt32(),
                periodic);
            var weightsKey = ofRecord == "r" ? "r_weights" : "statsmodels_weights";
            var name = c.GetProperty("case").GetString()!;
            cases[name] = new StlReferenceCase(
                name,
                c.GetProperty("r_call").GetString()!,
                files.GetProperty("input").GetString()!,
                files.GetProperty(ofRecord).GetString()!,
                files.TryGetProperty(weightsKey, out var w) ? w.GetString() : null,
                effective);
        }

        return cases;
    }
}
