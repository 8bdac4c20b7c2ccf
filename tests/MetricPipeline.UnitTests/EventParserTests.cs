using System.Buffers;
using System.Text;
using MetricPipeline.Ingest;

namespace MetricPipeline.UnitTests;

/// <summary>EventParser reads each event on its own: a bad one is listed with its index and reason, the good ones pass.</summary>
public sealed class EventParserTests
{
    private static readonly string[] TimeReasons = ["\"id\" is required", "time zone", "in the future", "before 2000-01-01"];

    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static EventParser Parser() => new(new IngestOptions(), new FixedClock(Now));

    public static string Event(string? id = null, string name = "task_completed", string extra = "") =>
        $$$"""{"id":"{{{id ?? Guid.NewGuid().ToString()}}}","product":"assistant","name":"{{{name}}}","timestamp":"2026-11-20T10:00:00Z"{{{extra}}}}""";

    private static ParsedBatch Array(params string[] events) => Parser().ParseArray(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]")));

    [Fact]
    public void A_valid_event_is_read_with_every_field()
    {
        var id = Guid.NewGuid();
        var batch = Array(Event(id.ToString(), extra: ""","userId":"u-1","value":2.5,"properties":{"plan":"free"}"""));
        var e = Assert.Single(batch.Accepted);
        Assert.Empty(batch.Rejected);
        Assert.Equal(id, e.Id);
        Assert.Equal(("assistant", "task_completed", "u-1", 2.5), (e.Product, e.Name, e.UserId, e.Value));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("free", e.Properties!["plan"]);
    }

    [Fact]
    public void Value_defaults_to_one()
    {
        Assert.Equal(1.0, Assert.Single(Array(Event()).Accepted).Value);
    }

    [Theory]
    [InlineData(""","properties":{"plan":"free\u0000"}""", "NUL")]
    [InlineData(""","userId":"\u0000" """, "NUL")]
    [InlineData(""","properties":{"plan":"\ud800"}""", "UTF-8")]
    [InlineData(""","properties":{"\udc00":"x"}""", "UTF-8")]
    [InlineData(""","properties":{"plan":3}""", "must be a string")]
    [InlineData(""","value":"12" """, "must be a number")]
    [InlineData(""","value":1e400""", "out of range")]
    public void A_bad_field_rejects_its_event_with_the_reason_and_keeps_its_neighbours(string extra, string reason)
    {
        var batch = Array(Event(), Event(extra: extra), Event());
        Assert.Equal(2, batch.Accepted.Count);
        var rejected = Assert.Single(batch.Rejected);
        Assert.Equal(1, rejected.Index);
        Assert.Contains(reason, rejected.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_with_a_nul_or_over_200_bytes_is_rejected()
    {
        var batch = Array(Event(name: "a\\u0000b"), Event(name: new string('n', 201)), Event(name: string.Concat(Enumerable.Repeat("\u00e9", 101))), Event(name: new string('n', 200)));
        Assert.Equal([0, 1, 2], batch.Rejected.Select(r => r.Index));
        Assert.Contains("longer than 200 bytes", batch.Rejected[2].Error, StringComparison.Ordinal);
        Assert.Single(batch.Accepted);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_reject_only_their_event()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("[" + Event() + ","));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"id\":\"" + Guid.NewGuid() + "\",\"product\":\"a\",\"name\":\"x"));
        bytes.AddRange([0xC3, 0x28]);
        bytes.AddRange(Encoding.UTF8.GetBytes("\",\"timestamp\":\"2026-11-20T10:00:00Z\"}," + Event() + "]"));
        var batch = Parser().ParseArray(new ReadOnlySequence<byte>(bytes.ToArray()));
        Assert.Equal(2, batch.Accepted.Count);
        Assert.Equal(1, Assert.Single(batch.Rejected).Index);
    }

    [Fact]
    public void Missing_required_fields_and_impossible_times_are_named()
    {
        var batch = Array(
            """{"product":"a","name":"b","timestamp":"2026-11-20T10:00:00Z"}""",
            Event(extra: "").Replace("2026-11-20T10:00:00Z", "2026-11-20T10:00:00", StringComparison.Ordinal),
            Event().Replace("2026-11-20T10:00:00Z", "2030-01-01T00:00:00Z", StringComparison.Ordinal),
            Event().Replace("2026-11-20T10:00:00Z", "1999-12-31T23:00:00Z", StringComparison.Ordinal));
        Assert.Equal(TimeReasons, batch.Rejected.Select(r => TimeReasons.First(f => r.Error.Contains(f, StringComparison.Ordinal))));
    }

    [Fact]
    public void A_body_that_is_not_an_array_is_unreadable_as_a_whole()
    {
        var parser = Parser();
        Assert.Throws<UnreadableBodyException>(() => parser.ParseArray(new ReadOnlySequence<byte>("{}"u8.ToArray())));
        Assert.Throws<UnreadableBodyException>(() => parser.ParseArray(new ReadOnlySequence<byte>("[{"u8.ToArray())));
        Assert.Throws<UnreadableBodyException>(() => parser.ParseArray(ReadOnlySequence<byte>.Empty));
    }

    [Fact]
    public void Ndjson_refuses_a_broken_line_and_keeps_the_others()
    {
        var body = Event() + "\n{\"id\": broken\n\n" + Event() + "\n" + Event() + " 42\n";
        var batch = Parser().ParseNdjson(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(2, batch.Accepted.Count);
        Assert.Equal([1, 3], batch.Rejected.Select(r => r.Index));
    }
}

/// <summary>A clock that reads one fixed time.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
