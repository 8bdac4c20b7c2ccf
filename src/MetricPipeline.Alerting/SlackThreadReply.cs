using System.Globalization;
using System.Text;

namespace MetricPipeline.Alerting;

/// <summary>The short thread reply that says what changed since the message was last edited.</summary>
public static class SlackThreadReply
{
    public static string Text(IReadOnlyList<AlertChange> changes, Guid alertId, IReadOnlyDictionary<string, string> metricNames)
    {
        var actors = changes.Where(c => c.Event == "slack_action" && c.AlertId == alertId).Select(c => c.Detail).OfType<string>().ToList();
        var lines = new StringBuilder();
        foreach (var change in changes)
        {
            var line = change switch
            {
                { Event: "opened" } when change.AlertId != alertId =>
                    $"Attached: {SlackMarkdown.Escape(metricNames.GetValueOrDefault(change.ChildMetric ?? "", change.ChildMetric ?? "a child metric"))}"
                    + (string.IsNullOrEmpty(change.ChildSegment) ? "" : $" in {SlackMarkdown.Escape(change.ChildSegment)}")
                    + (change.ChildRelativeChange is { } r ? $" moved {r.ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture)} with it" : " moved with it"),
                { Event: "acknowledged" } => "Acknowledged" + By(actors, "acknowledged"),
                { Event: "resolved" } => "Resolved" + (change.Detail is { Length: > 0 } d ? $": {SlackMarkdown.Escape(d)}" : "") + By(actors, "resolved"),
                { Event: "expected" } => "Marked as expected — a known change" + By(actors, "expected"),
                { Event: "updated" } => "Updated: " + SlackMarkdown.Escape(change.Detail ?? "the estimate moved"),
                _ when SlackAppSync.Bookkeeping.Contains(change.Event) => null,
                _ => $"{SlackMarkdown.Escape(change.Event.Replace('_', ' '))}{(change.Detail is { Length: > 0 } x ? ": " + SlackMarkdown.Escape(x) : "")}",
            };
            if (line is not null)
            {
                lines.Append(lines.Length > 0 ? "\n" : "").Append(line);
            }
        }

        return lines.Length > 0 ? SlackMarkdown.Truncate(lines.ToString(), SectionBlock.MaxTextLength) : "Updated";
    }

    /// <summary>" by @ana in Slack", when a button click did it (its <c>slack_action</c> row reads "acknowledged by @ana").</summary>
    private static string By(List<string> actors, string verb)
    {
        var actor = actors.FirstOrDefault(a => a.StartsWith(verb + " by ", StringComparison.Ordinal));
        return actor is null ? "" : $" {SlackMarkdown.Escape(actor[(verb.Length + 1)..])} in Slack";
    }
}
