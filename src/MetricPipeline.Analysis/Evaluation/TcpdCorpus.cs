using System.Globalization;
using System.Text.Json;

namespace MetricPipeline.Analysis.Evaluation;

/// <summary>One TCPD series with its annotators' change points.</summary>
public sealed record TcpdSeries(string Name, double[] Y, IReadOnlyList<IReadOnlyList<int>> Annotations, int? SuggestedPeriod);

/// <summary>
/// Reads the shipped TCPD benchmark (tests/data/tcpd in the repository): the 25 series of the paper's univariate headline average
/// that can be redistributed (<c>in_paper_headline</c> and group <c>univariate</c> in manifest.json).
/// The caller supplies file contents, so this stays free of I/O.
/// </summary>
public static class TcpdCorpus
{
    /// <summary>Parses manifest.json and annotations.json; <paramref name="readCsv"/> returns the text of a manifest-relative CSV path.</summary>
    public static IReadOnlyList<TcpdSeries> HeadlineSeries(string manifestJson, string annotationsJson, Func<string, string> readCsv)
    {
        using var manifest = JsonDocument.Parse(manifestJson);
        using var annotations = JsonDocument.Parse(annotationsJson);
        var result = new List<TcpdSeries>();
        foreach (var dataset in manifest.RootElement.GetProperty("datasets").EnumerateArray())
        {
            if (!dataset.GetProperty("in_paper_headline").GetBoolean() || dataset.GetProperty("group").GetString() != "univariate")
            {
                continue;
            }

            var name = dataset.GetProperty("name").GetString()!;
            var period = dataset.GetProperty("suggested_period").ValueKind == JsonValueKind.Number ? dataset.GetProperty("suggested_period").GetInt32() : (int?)null;
            var y = ParseCsvColumn(readCsv(dataset.GetProperty("csv").GetString()!));
            var sets = annotations.RootElement.GetProperty(name).EnumerateObject()
                .Select(a => (IReadOnlyList<int>)[.. a.Value.EnumerateArray().Select(v => v.GetInt32())])
                .ToList();
            result.Add(new TcpdSeries(name, y, sets, period));
        }

        return result;
    }

    /// <summary>The <c>y</c> column of a <c>t,y</c> CSV (header first).</summary>
    public static double[] ParseCsvColumn(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. lines.Skip(1).Select(line => double.Parse(line[(line.LastIndexOf(',') + 1)..], CultureInfo.InvariantCulture))];
    }

    /// <summary>Published per-series scores: <c>{series: {method: score|null}}</c>, missing or null read as 0 (the paper's rule for failures).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> ReferenceScores(string scoresJson)
    {
        using var doc = JsonDocument.Parse(scoresJson);
        return doc.RootElement.EnumerateObject().ToDictionary(
            s => s.Name,
            s => (IReadOnlyDictionary<string, double>)s.Value.EnumerateObject().ToDictionary(
                m => m.Name, m => m.Value.ValueKind == JsonValueKind.Number ? m.Value.GetDouble() : 0.0));
    }
}
