using MetricPipeline.Registry;

namespace MetricPipeline.Data;

/// <summary>
/// Bucket boundaries in UTC. Days start at midnight, weeks on Monday (ISO 8601).
/// Stored grain codes: 0 hour, 1 day, 2 week.
/// </summary>
public static class BucketGrain
{
    public static short Code(Grain grain) => (short)grain;

    public static DateTime Start(DateTime utc, Grain grain)
    {
        var ticks = utc.Ticks;
        return grain switch
        {
            Grain.Hour => new DateTime(ticks - (ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc),
            Grain.Day => new DateTime(ticks - (ticks % TimeSpan.TicksPerDay), DateTimeKind.Utc),
            Grain.Week => WeekStart(utc),
            _ => throw new ArgumentOutOfRangeException(nameof(grain), grain, "unknown grain"),
        };
    }

    public static TimeSpan Width(Grain grain) => grain switch
    {
        Grain.Hour => TimeSpan.FromHours(1),
        Grain.Day => TimeSpan.FromDays(1),
        Grain.Week => TimeSpan.FromDays(7),
        _ => throw new ArgumentOutOfRangeException(nameof(grain), grain, "unknown grain"),
    };

    private static DateTime WeekStart(DateTime utc)
    {
        var day = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerDay), DateTimeKind.Utc);
        var sinceMonday = ((int)day.DayOfWeek + 6) % 7;
        return day.AddDays(-sinceMonday);
    }
}
