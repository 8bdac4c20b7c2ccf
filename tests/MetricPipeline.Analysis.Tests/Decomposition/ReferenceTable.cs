using System.Globalization;

namespace MetricPipeline.Analysis.Tests.Decomposition;

/// <summary>A numeric CSV from the reference data in tests/data: a header row, then one row of doubles per observation.</summary>
public sealed class ReferenceTable
{
    private readonly Dictionary<string, double[]> _columns;

    private ReferenceTable(Dictionary<string, double[]> columns) => _columns = columns;

    public double[] this[string column] =>
        _columns.TryGetValue(column, out var values) ? values : throw new KeyNotFoundException($"column '{column}' not in reference file");

    public static ReferenceTable Load(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var columns = header.Select(_ => new double[lines.Length - 1]).ToArray();
        for (var row = 1; row < lines.Length; row++)
        {
            var fields = lines[row].Split(',');
            for (var c = 0; c < header.Length; c++)
            {
                columns[c][row - 1] = double.Parse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return new ReferenceTable(header.Zip(columns).ToDictionary(p => p.First, p => p.Second));
    }

    /// <summary>Largest |actual − expected| over all points.</summary>
    public static double MaxAbsDifference(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        }

        return max;
    }
}
