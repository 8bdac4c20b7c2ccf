using System.Globalization;
using System.Text;
using MetricPipeline.Data;

namespace MetricPipeline.Api;

/// <summary>The <c>text/csv</c> form of a history: <c>t,value</c>, and the decomposition's columns when asked for.</summary>
public static class HistoryCsv
{
    public static byte[] Write(IReadOnlyList<SeriesPoint> points, SeriesComponents? decomposition)
    {
        var sb = new StringBuilder(points.Count * 48);
        sb.Append(decomposition is null ? "t,value\n" : "t,value,trend,seasonal,remainder\n");
        for (var i = 0; i < points.Count; i++)
        {
            sb.Append(points[i].T.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',').Append(Number(points[i].Value));
            if (decomposition is not null)
            {
                sb.Append(',').Append(Number(decomposition.Trend[i])).Append(',').Append(Number(decomposition.Seasonal[i])).Append(',').Append(Number(decomposition.Remainder[i]));
            }

            sb.Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
