using System.Buffers;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using MetricPipeline.Api;
using MetricPipeline.Contracts;
using MetricPipeline.Data;
using MetricPipeline.Ingest;
using MetricPipeline.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MetricPipeline.UnitTests;

/// <summary>
/// Property-based fuzzing of the three parsers that read outside input: random and mutated inputs never escape as an
/// exception other than the parser's own clear refusal, and the valid items among them are still accepted.
/// </summary>
public sealed class FuzzTests
{
    private const int Runs = 300;

    [Property(MaxTest = Runs)]
    public void Event_parser_on_random_bytes_refuses_clearly_or_reads_storable_events(byte[] body)
    {
        var parser = EventParserTests.Parser();
        ParsedBatch? array = null;
        try
        {
            array = parser.ParseArray(new ReadOnlySequence<byte>(body));
        }
        catch (UnreadableBodyException)
        {
        }

        var ndjson = parser.ParseNdjson(new ReadOnlySequence<byte>(body));
        foreach (var e in (array?.Accepted ?? []).Concat(ndjson.Accepted))
        {
            AssertStorable(e);
        }
    }

    [Property(MaxTest = Runs)]
    public void Event_parser_keeps_every_valid_line_among_mutated_ones(bool[] corrupt, int seed)
    {
        var random = new Random(seed);
        var lines = new List<byte[]>();
        var validIds = new HashSet<Guid>();
        foreach (var mutate in corrupt.Take(40))
        {
            var id = Guid.NewGuid();
            var json = Encoding.UTF8.GetBytes(EventParserTests.Event(id.ToString(), extra: ""","userId":"u","properties":{"plan":"free"}"""));
            if (mutate)
            {
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    var b = (byte)random.Next(256);
                    json[random.Next(json.Length)] = b == (byte)'\n' ? (byte)0 : b;
                }
            }
            else
            {
                validIds.Add(id);
            }

            lines.Add(json);
        }

        var body = lines.SelectMany(l => l.Append((byte)'\n')).ToArray();
        var batch = EventParserTests.Parser().ParseNdjson(new ReadOnlySequence<byte>(body));
        Assert.Subset(batch.Accepted.Select(e => e.Id).ToHashSet(), validIds);
        Assert.Equal(lines.Count, batch.Accepted.Count + batch.Rejected.Count);
        batch.Accepted.ForEach(AssertStorable);
    }

    [Property(MaxTest = Runs)]
    public void Registry_reader_on_random_text_refuses_only_with_a_format_error(string text)
    {
        ReadOrRefuse(() => RegistryDocumentReader.ReadYaml(text ?? ""));
        ReadOrRefuse(() => RegistryDocumentReader.ReadJson(text ?? ""));
    }

    [Property(MaxTest = Runs)]
    public void Registry_reader_on_a_mutated_seed_document_refuses_only_with_a_format_error(int seed, byte edits)
    {
        var random = new Random(seed);
        var text = SeedRegistry.Value.ToCharArray();
        const string Alphabet = "&*:-[]{}!|>'\"#%@`,? \n\t\u0000\ud800aZ9";
        for (var k = 0; k < 1 + (edits % 8); k++)
        {
            text[random.Next(text.Length)] = Alphabet[random.Next(Alphabet.Length)];
        }

        ReadOrRefuse(() => RegistryDocumentReader.ReadYaml(new string(text)));
    }

    [Property(MaxTest = Runs)]
    public void Series_query_on_random_parameters_parses_within_range_or_says_why(string? from, string? to, string? grain, string? segment, long fromTicks, long toTicks)
    {
        var metric = new MetricDefinition { Key = "tasks", Name = "Tasks", Dimensions = ["plan"] };
        var now = new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
        foreach (var (f, t) in new[] { (from, to), (Iso(fromTicks), Iso(toTicks)), (null, Iso(toTicks)), (Iso(fromTicks), null) })
        {
            var values = new Dictionary<string, StringValues>();
            Add(values, "from", f);
            Add(values, "to", t);
            Add(values, "grain", grain);
            Add(values, "segment", segment is null ? null : "plan:" + segment);
            if (SeriesQuery.TryParse(new QueryCollection(values), metric, now, out var query, out var error))
            {
                Assert.InRange(query.From, SeriesQuery.Earliest, SeriesQuery.Latest);
                Assert.InRange(query.To, SeriesQuery.Earliest, SeriesQuery.Latest);
                Assert.True(query.From < query.To);
                var (alignedFrom, alignedTo) = SeriesReader.Align(query.From, query.To, query.Grain);
                Assert.True(alignedFrom <= alignedTo);
                Assert.Null(StoredText.Problem("segment", query.Segment, 4096));
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }
    }

    private static readonly Lazy<string> SeedRegistry = new(() => File.ReadAllText(SeedPath("metrics.yaml")));

    private static void ReadOrRefuse(Func<RegistryDocument> read)
    {
        try
        {
            var document = read();
            Assert.InRange(document.Metrics.Count, 0, RegistryLimits.MaxMetrics);
        }
        catch (RegistryFormatException ex)
        {
            Assert.NotEmpty(ex.Errors);
        }
    }

    private static void AssertStorable(TelemetryEvent e)
    {
        Assert.Null(StoredText.Problem("product", e.Product, StoredText.MaxNameBytes));
        Assert.Null(StoredText.Problem("name", e.Name, StoredText.MaxNameBytes));
        Assert.Null(e.UserId is null ? null : StoredText.Problem("userId", e.UserId, StoredText.MaxValueBytes));
        foreach (var (key, value) in e.Properties ?? new Dictionary<string, string>())
        {
            Assert.Null(StoredText.Problem("key", key, StoredText.MaxValueBytes) ?? StoredText.Problem("value", value, StoredText.MaxValueBytes));
        }
    }

    private static void Add(Dictionary<string, StringValues> values, string name, string? value)
    {
        if (value is not null)
        {
            values[name] = value;
        }
    }

    private static string Iso(long ticks) =>
        new DateTime(Math.Abs(ticks % DateTime.MaxValue.Ticks), DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string SeedPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "seeds", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"seeds/{name} not found above {AppContext.BaseDirectory}");
    }
}
