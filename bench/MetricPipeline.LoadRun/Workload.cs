using System.Globalization;
using System.Text.Json;
using MetricPipeline.Cli.Simulation;
using MetricPipeline.Contracts;

namespace MetricPipeline.LoadRun;

/// <summary>
/// The events of one run, from the demo scenario's simulator (seeds/scenario.yaml): its event names,
/// properties and mix, but live traffic — a pool of U users (the scenario's products scaled to it) and
/// timestamps spread evenly over the last H hours, in order, as a product sends them now. They are cut
/// into request bodies of B events. A fraction of each body re-sends events of an earlier body (a client
/// retrying), so the unique count is below the sent count and de-duplication must work.
/// </summary>
public sealed class Workload
{
    private Workload(List<TelemetryEvent> unique, List<byte[]> bodies, int sent, int batch, int users)
    {
        Unique = unique;
        Bodies = bodies;
        SentEvents = sent;
        Batch = batch;
        Users = users;
    }

    /// <summary>Users in the pool the events come from.</summary>
    public int Users { get; }

    /// <summary>Every distinct event (each counted once by the rollup).</summary>
    public List<TelemetryEvent> Unique { get; }

    /// <summary>JSON array bodies, in the order they are posted.</summary>
    public List<byte[]> Bodies { get; }

    /// <summary>Events sent including re-sends.</summary>
    public int SentEvents { get; }

    public int Batch { get; }

    public static Workload Create(string scenarioYaml, int events, int batch, double duplicates, int users, int liveHours, DateTimeOffset now)
    {
        var scenario = ScenarioReader.Read(scenarioYaml);
        var scale = users / (double)scenario.Products.Sum(p => p.Users);
        foreach (var product in scenario.Products)
        {
            product.Users = Math.Max(1, (int)Math.Round(product.Users * scale));
        }

        // The scenario's own clock only shapes the mix; each event is then re-timed into the live window.
        var generator = new TelemetryGenerator(scenario, now.AddDays(-28));
        var generated = new List<TelemetryEvent>(events);
        for (var hour = 0; generated.Count < events; hour++)
        {
            generated.AddRange(generator.GenerateHour(hour).Take(events - generated.Count));
        }

        var start = now.AddHours(-liveHours);
        var step = TimeSpan.FromHours(liveHours).Ticks / (double)events;
        var unique = new List<TelemetryEvent>(events);
        for (var i = 0; i < generated.Count; i++)
        {
            unique.Add(generated[i] with { Timestamp = start.AddTicks((long)(i * step)) });
        }

        var random = new Random(20261123);
        var perBody = Math.Max(1, (int)Math.Round(batch * duplicates));
        var fresh = duplicates > 0 ? batch - perBody : batch;
        var bodies = new List<byte[]>((events / fresh) + 1);
        var body = new List<TelemetryEvent>(batch);
        var sent = 0;
        for (var offset = 0; offset < unique.Count; offset += fresh)
        {
            body.Clear();
            body.AddRange(unique.Skip(offset).Take(fresh));
            if (duplicates > 0 && offset > 0)
            {
                // Re-send events of the last few bodies, as a client retrying a request whose answer it lost.
                for (var d = 0; d < perBody; d++)
                {
                    body.Insert(random.Next(body.Count + 1), unique[random.Next(Math.Max(0, offset - (5 * fresh)), offset)]);
                }
            }

            sent += body.Count;
            bodies.Add(ToJsonArray(body));
        }

        return new Workload(unique, bodies, sent, batch, scenario.Products.Sum(p => p.Users));
    }

    /// <summary>The ingest shape, as the CLI's sender writes it (UTC timestamps with a "Z").</summary>
    public static byte[] ToJsonArray(IEnumerable<TelemetryEvent> events)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("id", e.Id);
                json.WriteString("product", e.Product);
                json.WriteString("name", e.Name);
                json.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                if (e.UserId is not null)
                {
                    json.WriteString("userId", e.UserId);
                }

                json.WriteNumber("value", e.Value);
                json.WriteStartObject("properties");
                foreach (var (key, value) in e.Properties ?? new Dictionary<string, string>())
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return stream.ToArray();
    }
}
