using System.Globalization;
using System.Text;

namespace MetricPipeline.Cli;

/// <summary>A series read from CSV: the values, and the <c>t</c> column as written when the file has one.</summary>
public sealed record CsvSeries(string[]? T, double[] Y);

/// <summary>
/// Reads the offline-analysis input of <c>metricpipe</c>: a CSV with a header row, the series in the column named
/// <c>y</c> (or else the last column), and an optional column <c>t</c> that is carried through unchanged.
/// </summary>
/// <remarks>
/// Every problem is reported as an <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) with
/// a one-line message naming the file, the line and the column, so commands can print it as it is.
/// </remarks>
public static class SeriesCsv
{
    public static CsvSeries Read(FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"input file '{file.FullName}' does not exist", file.FullName);
        }

        using var reader = new StreamReader(file.FullName);
        return Read(reader, file.Name);
    }

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="source"/> names the input in error messages.</summary>
    public static CsvSeries Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        string[]? header = null;
        while (header is null && reader.ReadLine() is { } headerLine)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(headerLine))
            {
                header = SplitFields(headerLine, source, lineNumber);
            }
        }

        if (header is null)
        {
            throw new InvalidDataException($"{source} is empty: expected a header row such as 't,y' followed by one row per observation");
        }

        var yColumn = IndexOf(header, "y");
        if (yColumn < 0)
        {
            yColumn = header.Length - 1;
        }

        var tColumn = IndexOf(header, "t");
        if (tColumn == yColumn)
        {
            tColumn = -1;
        }

        var needed = Math.Max(yColumn, tColumn) + 1;
        var yName = header[yColumn];
        var t = tColumn >= 0 ? new List<string>() : null;
        var y = new List<double>();
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = SplitFields(line, source, lineNumber);
            if (fields.Length < needed)
            {
                throw new InvalidDataException($"{source} line {lineNumber}: {fields.Length} field(s) but the header has {header.Length}");
            }

            var text = fields[yColumn];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new InvalidDataException($"{source} line {lineNumber}: '{text}' in column '{yName}' is not a finite number; fill or drop missing values first");
            }

            y.Add(value);
            t?.Add(fields[tColumn]);
        }

        if (y.Count == 0)
        {
            throw new InvalidDataException($"{source} has a header but no data rows");
        }

        return new CsvSeries(t?.ToArray(), y.ToArray());
    }

    // One CSV record on one line (RFC 4180 quoting: "a,b" and "" for a quote); fields are trimmed.
    private static string[] SplitFields(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch != '"')
                {
                    field.Append(ch);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"{source} line {lineNumber}: a quoted field is not closed");
        }

        fields.Add(field.ToString().Trim());
        return [.. fields];
    }

    private static int IndexOf(string[] header, string name)
    {
        for (var i = 0; i < header.Length; i++)
        {
            if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
