using System.Globalization;
using MetricPipeline.Data;
using MetricPipeline.Registry;

namespace MetricPipeline.Api;

/// <summary>The history's <c>window</c> parameter: a length such as <c>24h</c>, <c>7d</c> or <c>4w</c>, a whole number of buckets.</summary>
public static class RollingWindow
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(366);

    /// <summary>Empty text means no window (null). Otherwise a positive whole number of the grain's buckets, at most a year.</summary>
    public static bool TryParse(string text, Grain grain, out TimeSpan? window, out string? error)
    {
        window = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var unit = text[^1] switch
        {
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            error = $"window '{text}' is not a length such as 24h, 7d or 4w";
            return false;
        }

        var length = unit * n;
        var width = BucketGrain.Width(grain);
        if (length > Longest)
        {
            error = $"window '{text}' is longer than {Longest.TotalDays:0} days";
            return false;
        }

        if (length.Ticks % width.Ticks != 0)
        {
            error = $"window '{text}' is not a whole number of {RegistryNames.Of(grain)} buckets";
            return false;
        }

        window = length;
        return true;
    }
}
