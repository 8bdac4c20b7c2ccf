using MetricPipeline.Cli.Simulation;
using MetricPipeline.Contracts;
using MetricPipeline.LoadRun;
using MetricPipeline.Registry;
using MetricPipeline.Rollup;

namespace MetricPipeline.Soak;

/// <summary>One request body: its JSON, the events it sends for the first time, and how many events it holds in all.</summary>
public sealed record Body(byte[] Json, IReadOnlyList<TelemetryEvent> Fresh, int Events);

/// <summary>
/// Request bodies from the demo scenario's simulator (seeds/scenario.yaml), made one at a time as they are sent: either
/// its hours as they are (the history before the soak) or its events re-timed to the moment the body is made (live
/// traffic at any rate: the simulator's hours are only a source of realistic names, users and properties). A fraction
/// of each body re-sends events of the body before it, as a client retrying a request whose answer it lost. The
/// source also keeps, per stored metric, how many accepted unique events the registry routes to it.
/// </summary>
public sealed class EventSource
{
    private readonly IEnumerator<TelemetryEvent> events;
    private readonly bool live;
    private readonly int fresh;
    private readonly int resent;
    private readonly RegistrySnapshot registry;
    private readonly Dictionary<string, long> expected = new(StringComparer.Ordinal);
    private readonly Random random = new(20261202);
    private List<TelemetryEvent> previous = [];

    private EventSource(IEnumerable<TelemetryEvent> events, bool live, int batch, double duplicates, RegistrySnapshot registry)
    {
        this.events = events.GetEnumerator();
        this.live = live;
        this.registry = registry;
        resent = duplicates > 0 ? Math.Max(1, (int)Math.Round(batch * duplicates)) : 0;
        fresh = batch - resent;
    }

    /// <summary>Unique events accepted so far.</summary>
    public long AcceptedUnique { get; private set; }

    /// <summary>The scenario's last <paramref name="days"/> whole days before the current hour, with their own timestamps.</summary>
    public static EventSource History(string scenarioYaml, RegistrySnapshot registry, int days, int batch, double duplicates, DateTimeOffset now)
    {
        var generator = new TelemetryGenerator(ScenarioReader.Read(scenarioYaml), now.AddDays(-days));
        return new EventSource(generator.Generate(days * 24), live: false, batch, duplicates, registry);
    }

    /// <summary>
    /// Endless live traffic. The simulator runs from a start long before any history hour, so its event ids (seeded
    /// by the absolute hour) never repeat the history's.
    /// </summary>
    public static EventSource Live(string scenarioYaml, RegistrySnapshot registry, int batch, double duplicates)
    {
        var generator = new TelemetryGenerator(ScenarioReader.Read(scenarioYaml), new DateTimeOffset(2000, 1, 3, 0, 0, 0, TimeSpan.Zero));
        return new EventSource(generator.Generate(int.MaxValue), live: true, batch, duplicates, registry);
    }

    /// <summary>The next body, or null when the source is exhausted. Not thread-safe: callers take turns.</summary>
    public Body? Next()
    {
        var body = new List<TelemetryEvent>(fresh + resent);
        var now = DateTimeOffset.UtcNow;
        while (body.Count < fresh && events.MoveNext())
        {
            body.Add(live ? events.Current with { Timestamp = now } : events.Current);
        }

        if (body.Count == 0)
        {
            return null;
        }

        var unique = body.ToList();
        for (var d = 0; d < resent && previous.Count > 0; d++)
        {
            body.Insert(random.Next(body.Count + 1), previous[random.Next(previous.Count)]);
        }

        previous = unique;
        return new Body(Workload.ToJsonArray(body), unique, body.Count);
    }

    /// <summary>Counts a body's fresh events toward the metrics they feed, once its request was answered 202 in full.</summary>
    public void Accepted(Body body)
    {
        lock (expected)
        {
            foreach (var e in body.Fresh)
            {
                foreach (var metric in registry.MetricsFor(e))
                {
                    expected[metric.Key] = expected.GetValueOrDefault(metric.Key) + 1;
                }
            }

            AcceptedUnique += body.Fresh.Count;
        }
    }

    /// <summary>Per stored metric, the accepted unique events routed to it.</summary>
    public Dictionary<string, long> Expected()
    {
        lock (expected)
        {
            return new Dictionary<string, long>(expected, StringComparer.Ordinal);
        }
    }

    public static RegistrySnapshot Snapshot(string registryYaml) => new(1, RegistryDocumentReader.ReadYaml(registryYaml).Metrics);
}
