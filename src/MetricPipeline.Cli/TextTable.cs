using System.Text;

namespace MetricPipeline.Cli;

/// <summary>A plain aligned text table: columns padded to their widest cell, two spaces apart.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => i < r.Length ? r[i].Length : 0).Prepend(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows.Prepend(headers))
        {
            var line = string.Join("  ", widths.Select((w, i) => (i < row.Length ? row[i] : "").PadRight(w)));
            text.Append(line.TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}
