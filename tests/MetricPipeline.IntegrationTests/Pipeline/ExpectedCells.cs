using MetricPipeline.Registry;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// The test's own oracle: what every (metric, hour, segment) cell must hold, computed directly from
/// the unique events with LINQ, independently of the pipeline's aggregation code.
/// </summary>
public sealed class ExpectedCells(IReadOnlyList<TestEvent> uniqueEvents, Func<string, string, bool> admitted)
{
    public static DateTime Hour(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerHour), DateTimeKind.Utc);

    /// <summary>Value per hour for a stored metric and segment ("" total, "plan=free", "country=other", "country=(none)").</summary>
    public Dictionary<DateTime, double> Stored(string metric, string segment, Grain grain = Grain.Hour)
    {
        var (name, kind, filterWeb) = metric switch
        {
            "tasks" => ("task_completed", MetricKind.Count, false),
            "minutes" => ("task_completed", MetricKind.Sum, false),
            "users" => ("task_completed", MetricKind.DistinctUsers, false),
            "web_tasks" => ("task_completed", MetricKind.Count, true),
            "shown" => ("suggestion_shown", MetricKind.Count, false),
            "accepted" => ("suggestion_accepted", MetricKind.Count, false),
            _ => throw new ArgumentException(metric),
        };
        var matching = uniqueEvents.Where(e => e.Product == "app" && e.Name == name && (!filterWeb || e.Properties["platform"] == "web"))
            .Where(e => InSegment(metric, e, segment));
        var groups = matching.GroupBy(e => Bucket(e.Timestamp, grain));
        return groups.ToDictionary(
            g => g.Key,
            g => kind switch
            {
                MetricKind.Count => g.Count(),
                MetricKind.Sum => g.Sum(e => e.Value),
                _ => g.Select(e => e.UserId).Distinct(StringComparer.Ordinal).Count(),
            });
    }

    private bool InSegment(string metric, TestEvent e, string segment)
    {
        if (segment.Length == 0)
        {
            return true;
        }

        var cut = segment.IndexOf('=', StringComparison.Ordinal);
        var (dimension, value) = (segment[..cut], segment[(cut + 1)..]);
        if (!e.Properties.TryGetValue(dimension, out var actual))
        {
            return value == "(none)";
        }

        return admitted(metric + "/" + dimension, actual) ? actual == value : value == "other";
    }

    public static DateTime Bucket(DateTimeOffset t, Grain grain)
    {
        var hour = Hour(t);
        return grain switch
        {
            Grain.Hour => hour,
            Grain.Day => hour.Date,
            _ => hour.Date.AddDays(-(((int)hour.DayOfWeek + 6) % 7)),
        };
    }
}
