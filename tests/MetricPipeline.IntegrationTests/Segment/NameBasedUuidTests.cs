using MetricPipeline.Ingest.Segment;

namespace MetricPipeline.IntegrationTests.Segment;

public sealed class NameBasedUuidTests
{
    [Fact]
    public void Version_5_uuid_matches_the_rfc_reference_value()
    {
        // Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"), the usual cross-check of RFC 9562 §5.5.
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), NameBasedUuid.Create(dns, "python.org"));
    }

    [Fact]
    public void The_same_message_id_gives_the_same_event_id_and_another_product_another()
    {
        Assert.Equal(NameBasedUuid.ForSegmentMessage("app", "m-1"), NameBasedUuid.ForSegmentMessage("app", "m-1"));
        Assert.NotEqual(NameBasedUuid.ForSegmentMessage("app", "m-1"), NameBasedUuid.ForSegmentMessage("web", "m-1"));
        Assert.NotEqual(NameBasedUuid.ForSegmentMessage("app", "m-1"), NameBasedUuid.ForSegmentMessage("app", "m-2"));
    }
}
