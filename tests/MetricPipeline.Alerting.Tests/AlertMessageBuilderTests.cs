using System.Text.Json;
using MetricPipeline.Registry;

namespace MetricPipeline.Alerting.Tests;

public class AlertMessageBuilderTests
{
    private const string Base = "http://127.0.0.1:5080";
    private static readonly string[] BlockTypes = ["header", "section", "context", "divider"];

    private static SlackMessage Build(MetricPipeline.Data.Entities.Alert? alert = null, MetricDefinition? metric = null, TimeSpan? correlationLag = null) =>
        AlertMessageBuilder.Build(alert ?? AlertSamples.Drop(), metric ?? AlertSamples.NorthStar, AlertSamples.Names, Base, correlationLag ?? AlertSamples.CorrelationLag);

    private static string HeaderOf(SlackMessage message) => Assert.IsType<HeaderBlock>(message.Blocks[0]).Text.Text;

    private static List<string> FieldsOf(SlackMessage message) =>
        message.Blocks.OfType<SectionBlock>().Where(s => s.Fields is not null).SelectMany(s => s.Fields!).Select(f => f.Text).ToList();

    private static string SectionsText(SlackMessage message) =>
        string.Join("\n", message.Blocks.OfType<SectionBlock>().Select(s => s.Text?.Text).OfType<string>());

    [Fact]
    public void North_star_drop_header_names_the_role_and_the_size()
    {
        Assert.Equal("North Star dropped 14.8%", HeaderOf(Build()));
    }

    [Theory]
    [InlineData(MetricRole.Input, 0.061, "Input metric 'Messages sent' rose 6.1%")]
    [InlineData(MetricRole.Lever, -0.03, "Lever 'Messages sent' dropped 3.0%")]
    [InlineData(MetricRole.Guardrail, 0.125, "Guardrail 'Messages sent' rose 12.5%")]
    public void Other_roles_name_the_metric_in_the_header(MetricRole role, double relative, string expected)
    {
        var alert = AlertSamples.Drop();
        alert.RelativeChange = relative;
        Assert.Equal(expected, HeaderOf(Build(alert, AlertSamples.MessagesSent with { Role = role })));
    }

    [Fact]
    public void Segment_alert_says_which_segment_in_header_and_fields()
    {
        var message = Build(AlertSamples.Drop("plan=free"));
        Assert.Equal("North Star dropped 14.8% in plan=free", HeaderOf(message));
        Assert.Contains("*Segment*\nplan=free", FieldsOf(message));
    }

    [Fact]
    public void Very_long_name_is_cut_but_the_size_of_the_move_stays_within_150_characters()
    {
        var header = HeaderOf(Build(metric: AlertSamples.MessagesSent with { Name = new string('x', 400) }));
        Assert.True(header.Length <= HeaderBlock.MaxTextLength, $"header has {header.Length} characters");
        Assert.EndsWith("…' dropped 14.8%", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_give_value_range_change_since_and_effect()
    {
        var fields = FieldsOf(Build());
        Assert.Equal(
            [
                "*Current value*\n852",
                "*Expected range*\n950 – 1,050",
                "*Change*\n−14.8% (−148 from 1,000)",
                "*Since*\n2026-11-20 10:00 UTC\n3 h 10 min before detection",
                "*Effect estimate*\n−12.1%\ninterval −15.1% to −8.9%",
            ],
            fields);
    }

    [Fact]
    public void An_uncertain_onset_is_given_with_the_change_time_and_a_clear_one_is_not()
    {
        var alert = AlertSamples.Drop();
        alert.Onset = """{"earliest":"2026-11-20T08:00:00Z","latest":"2026-11-20T11:00:00Z"}""";
        Assert.Contains("*Since*\n2026-11-20 10:00 UTC\nbegan between 2026-11-20 08:00 UTC and 2026-11-20 11:00 UTC\n3 h 10 min before detection", FieldsOf(Build(alert)));
        alert.Onset = """{"earliest":"2026-11-20T10:00:00Z","latest":"2026-11-20T10:00:00Z"}""";
        Assert.Contains("*Since*\n2026-11-20 10:00 UTC\n3 h 10 min before detection", FieldsOf(Build(alert)));
    }

    [Fact]
    public void Bad_and_good_news_are_marked()
    {
        var bad = Build();
        Assert.Contains(":red_circle: *Bad news*", SectionsText(bad), StringComparison.Ordinal);
        var alert = AlertSamples.Drop();
        alert.Direction = "good";
        Assert.Contains(":large_green_circle: *Good news*", SectionsText(Build(alert)), StringComparison.Ordinal);
    }

    [Fact]
    public void Correlated_deployment_is_named_with_its_kind_and_lag()
    {
        Assert.Contains("• ranker 2.3.0 (model), 40 min before", SectionsText(Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_stored_without_a_kind_is_named_without_one()
    {
        var alert = AlertSamples.Drop();
        alert.Deployments = """[{"id":"9a0e0c1d-0000-4000-8000-00000000000a","service":"ranker","version":"2.3.0","lagMinutes":95}]""";
        Assert.Contains("• ranker 2.3.0, 1 h 35 min before", SectionsText(Build(alert)), StringComparison.Ordinal);
    }

    [Fact]
    public void No_deployment_is_said_explicitly_with_the_detectors_look_back()
    {
        var alert = AlertSamples.Drop();
        alert.Deployments = "[]";
        Assert.Contains("No tagged deployment in the 6 h before the change", SectionsText(Build(alert)), StringComparison.Ordinal);
        Assert.Contains("No tagged deployment in the 2 h before the change", SectionsText(Build(alert, correlationLag: TimeSpan.FromHours(2))), StringComparison.Ordinal);
    }

    [Fact]
    public void Contributing_segments_and_child_metrics_are_listed_largest_first()
    {
        var text = SectionsText(Build());
        Assert.Contains("*Segments contributing most*\n• plan=free: 72.0% of the change (−20.1%)\n• country=US: 18.0% of the change (−5.0%)", text, StringComparison.Ordinal);
        Assert.Contains("*Child metrics that moved*\n• Messages sent (`messages_sent`): −8.2%\n• `unknown_child`: +1.0%", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_contributor_lists_are_cut_to_five_with_a_count_of_the_rest()
    {
        var alert = AlertSamples.Drop();
        var segments = string.Join(",", Enumerable.Range(1, 20).Select(i => $$"""{"segment":"country=C{{i}}","share":{{i / 100.0}},"relativeChange":-0.1}"""));
        alert.Contributors = $$"""{"segments":[{{segments}}]}""";
        var text = SectionsText(Build(alert));
        Assert.Contains("• country=C20: 20.0% of the change", text, StringComparison.Ordinal);
        Assert.Contains("• country=C16:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("• country=C15:", text, StringComparison.Ordinal);
        Assert.Contains("…and 15 more", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Child metrics", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_columns_still_give_a_message_without_that_context()
    {
        var alert = AlertSamples.Drop();
        alert.Deployments = "{not json";
        alert.Effect = "\"a string\"";
        alert.Contributors = """{"children":"nope","segments":[{"share":0.5,"relativeChange":-0.1},{"segment":"plan=pro","share":"0.4","relativeChange":-0.02}]}""";
        var message = Build(alert);
        var text = SectionsText(message);
        Assert.Contains("No tagged deployment", text, StringComparison.Ordinal);
        Assert.Contains("• plan=pro: 40.0% of the change (−2.0%)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Child metrics", text, StringComparison.Ordinal);
        Assert.DoesNotContain(FieldsOf(message), f => f.StartsWith("*Effect", StringComparison.Ordinal));
    }

    [Fact]
    public void History_link_points_at_the_dashboard_node_page_around_the_change()
    {
        Assert.Equal(
            "http://127.0.0.1:5080/nodes/ai_tasks?from=2026-11-13T10%3A00%3A00Z&to=2026-11-20T14%3A10%3A00Z&alert=6f1c2a4e-0000-4000-8000-000000000001",
            AlertMessageBuilder.HistoryUrl(AlertSamples.Drop(), AlertSamples.NorthStar, Base + "/"));
        Assert.Equal(
            "https://metrics.example.com/nodes/messages_sent?from=2026-08-22T10%3A00%3A00Z&to=2026-11-21T13%3A10%3A00Z&segment=plan%3Afree&alert=6f1c2a4e-0000-4000-8000-000000000001",
            AlertMessageBuilder.HistoryUrl(AlertSamples.Drop("plan=free"), AlertSamples.MessagesSent, "https://metrics.example.com"));
    }

    [Fact]
    public void History_link_is_in_the_message_and_in_the_fallback_text()
    {
        var message = Build();
        var url = AlertMessageBuilder.HistoryUrl(AlertSamples.Drop(), AlertSamples.NorthStar, Base);
        Assert.Contains($"<{url}|Open the history of AI-assisted tasks completed>", SectionsText(message), StringComparison.Ordinal);
        Assert.StartsWith("North Star dropped 14.8% (bad): AI-assisted tasks completed is 852", message.Text, StringComparison.Ordinal);
        Assert.EndsWith(url, message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void User_text_is_escaped_for_mrkdwn()
    {
        var text = SectionsText(Build(metric: AlertSamples.NorthStar with { Name = "Tasks <done> & kept" }));
        Assert.Contains("*Tasks &lt;done&gt; &amp; kept*", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_has_the_block_kit_shape_slack_accepts()
    {
        var alert = AlertSamples.Drop("plan=free");
        using var doc = JsonDocument.Parse(Build(alert).ToJson());
        var root = doc.RootElement;
        Assert.Equal(["text", "blocks"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("text").GetString()));
        var blocks = root.GetProperty("blocks").EnumerateArray().ToList();
        Assert.InRange(blocks.Count, 1, 50);
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        var headerText = blocks[0].GetProperty("text");
        Assert.Equal("plain_text", headerText.GetProperty("type").GetString());
        Assert.InRange(headerText.GetProperty("text").GetString()!.Length, 1, 150);

        foreach (var block in blocks)
        {
            var type = block.GetProperty("type").GetString();
            Assert.Contains(type, BlockTypes);
            Assert.DoesNotContain(block.EnumerateObject(), p => p.Value.ValueKind == JsonValueKind.Null);
            if (type == "section")
            {
                Assert.True(block.TryGetProperty("text", out _) || block.TryGetProperty("fields", out _), "a section needs text or fields");
                if (block.TryGetProperty("text", out var text))
                {
                    Assert.Equal("mrkdwn", text.GetProperty("type").GetString());
                    Assert.InRange(text.GetProperty("text").GetString()!.Length, 1, 3000);
                }

                if (block.TryGetProperty("fields", out var fields))
                {
                    Assert.InRange(fields.GetArrayLength(), 1, 10);
                    Assert.All(fields.EnumerateArray(), f =>
                    {
                        Assert.Equal("mrkdwn", f.GetProperty("type").GetString());
                        Assert.InRange(f.GetProperty("text").GetString()!.Length, 1, 2000);
                    });
                }
            }

            if (type == "context")
            {
                Assert.InRange(block.GetProperty("elements").GetArrayLength(), 1, 10);
            }
        }
    }

    [Theory]
    [InlineData(30, "30 min")]
    [InlineData(360, "6 h")]
    [InlineData(190, "3 h 10 min")]
    [InlineData(3120, "2 d 4 h")]
    public void Durations_read_as_people_write_them(int minutes, string expected)
    {
        Assert.Equal(expected, AlertMessageBuilder.Duration(TimeSpan.FromMinutes(minutes)));
    }
}
