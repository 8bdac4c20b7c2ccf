using System.Globalization;
using System.Text;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;

namespace MetricPipeline.Alerting;

/// <summary>
/// Turns an alert row into a Slack Block Kit message: a header naming the metric's role and the
/// size of the move, the numbers a reader needs first (value, expected range, change, since when),
/// the deployments that line up with it, what contributed, and a link to the history view.
/// </summary>
public static class AlertMessageBuilder
{
    /// <summary>Contributing segments and child metrics listed at most; the rest are counted.</summary>
    public const int MaxListed = 5;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="alert">The alert row; its parts are read tolerantly (<see cref="AlertDetails.Of"/>).</param>
    /// <param name="metric">The metric's registry definition (name, role, direction, grain, unit).</param>
    /// <param name="childNames">Metric key → display name, for the child metrics among the contributors.</param>
    /// <param name="dashboardBaseUrl">Base of the history link, e.g. <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="correlationLag">How far before the change the detector looks for deployments (<c>Detector:CorrelationLag</c>, said when none was found).</param>
    public static SlackMessage Build(
        Alert alert, MetricDefinition metric, IReadOnlyDictionary<string, string> childNames, string dashboardBaseUrl, TimeSpan correlationLag)
    {
        var details = AlertDetails.Of(alert);

        var header = Header(alert, metric);
        var historyUrl = HistoryUrl(alert, metric, dashboardBaseUrl);

        var blocks = new List<SlackBlock>
        {
            new HeaderBlock(SlackText.Plain(header)),
            new SectionBlock(SlackText.Markdown(Summary(alert, metric))),
            new SectionBlock(Fields: Fields(alert, metric, details.Effect, details.Onset)),
            new SectionBlock(SlackText.Markdown(Clip(DeploymentsText(details.Deployments, correlationLag)))),
        };

        if (details.Contributors.Segments.Count > 0)
        {
            blocks.Add(new SectionBlock(SlackText.Markdown(Clip(SegmentsText(details.Contributors.Segments)))));
        }

        if (details.Contributors.Children.Count > 0)
        {
            blocks.Add(new SectionBlock(SlackText.Markdown(Clip(ChildrenText(details.Contributors.Children, childNames)))));
        }

        blocks.Add(new DividerBlock());
        blocks.Add(new SectionBlock(SlackText.Markdown(SlackMarkdown.Link(historyUrl, $"Open the history of {metric.Name}") + " (decomposition, change points, anomalies, deployments)")));
        blocks.Add(new ContextBlock([SlackText.Markdown(Clip(
            $"Alert `{alert.Id}` · {Kind(alert.Kind)} · detected {Utc(alert.DetectedAt)}" + (metric.Owner is { } owner ? $" · owner {SlackMarkdown.Escape(owner)}" : "")))]));

        var fallback = $"{header} ({alert.Direction}): {metric.Name} is {Number(alert.Value, metric)}, expected {Number(alert.ExpectedLow, metric)} – {Number(alert.ExpectedHigh, metric)}, since {Utc(alert.ChangeAt)}. History: {historyUrl}";
        return new SlackMessage(fallback, blocks);
    }

    /// <summary>"North Star dropped 14.8%", "Input metric 'Messages sent' rose 6.1%", "… in plan=free" for a segment.</summary>
    public static string Header(Alert alert, MetricDefinition metric)
    {
        var verb = alert.RelativeChange < 0 || (alert.RelativeChange == 0 && alert.Value < alert.Before) ? "dropped" : "rose";
        var size = Percent(Math.Abs(alert.RelativeChange));
        var tail = $" {verb} {size}" + (alert.Segment.Length > 0 ? $" in {alert.Segment}" : "");
        if (metric.Role == MetricRole.NorthStar)
        {
            return SlackMarkdown.Truncate("North Star" + tail, HeaderBlock.MaxTextLength);
        }

        var role = metric.Role switch
        {
            MetricRole.Input => "Input metric",
            MetricRole.Lever => "Lever",
            _ => "Guardrail",
        };

        // The name is what gets cut when the header would pass Slack's limit: the size of the move must stay.
        var room = HeaderBlock.MaxTextLength - role.Length - tail.Length - 3;
        return SlackMarkdown.Truncate($"{role} '{SlackMarkdown.Truncate(metric.Name, Math.Max(room, 1))}'{tail}", HeaderBlock.MaxTextLength);
    }

    /// <summary>
    /// The dashboard's node page around the change: <c>{base}/nodes/{key}?from&amp;to&amp;segment&amp;alert=id</c>,
    /// from a window before the change (7 days hourly, 90 days daily, two years weekly) to one bucket after detection.
    /// </summary>
    public static string HistoryUrl(Alert alert, MetricDefinition metric, string dashboardBaseUrl)
    {
        var (before, bucket) = metric.Grain switch
        {
            Grain.Hour => (TimeSpan.FromDays(7), TimeSpan.FromHours(1)),
            Grain.Day => (TimeSpan.FromDays(90), TimeSpan.FromDays(1)),
            _ => (TimeSpan.FromDays(728), TimeSpan.FromDays(7)),
        };
        var from = alert.ChangeAt.ToUniversalTime() - before;
        var to = (alert.DetectedAt > alert.ChangeAt ? alert.DetectedAt : alert.ChangeAt).ToUniversalTime() + bucket;
        var query = new StringBuilder()
            .Append("from=").Append(Uri.EscapeDataString(Iso(from)))
            .Append("&to=").Append(Uri.EscapeDataString(Iso(to)));
        if (alert.Segment.Length > 0)
        {
            // Stored as dimension=value; the API takes dimension:value.
            var cut = alert.Segment.IndexOf('=', StringComparison.Ordinal);
            var segment = cut > 0 ? alert.Segment[..cut] + ":" + alert.Segment[(cut + 1)..] : alert.Segment;
            query.Append("&segment=").Append(Uri.EscapeDataString(segment));
        }

        query.Append("&alert=").Append(alert.Id);
        return $"{dashboardBaseUrl.TrimEnd('/')}/nodes/{Uri.EscapeDataString(metric.Key)}?{query}";
    }

    private static string Summary(Alert alert, MetricDefinition metric)
    {
        var bad = string.Equals(alert.Direction, "bad", StringComparison.OrdinalIgnoreCase);
        var marker = bad ? ":red_circle: *Bad news*" : ":large_green_circle: *Good news*";
        var better = metric.Direction == Direction.Up ? "higher is better" : "lower is better";
        return Clip($"{marker} · {Kind(alert.Kind)} of *{SlackMarkdown.Escape(metric.Name)}* (`{metric.Key}`), {RoleName(metric.Role)}; {better}");
    }

    private static List<SlackText> Fields(Alert alert, MetricDefinition metric, EffectInterval? effect, OnsetInterval? onset)
    {
        var absolute = alert.Value - alert.Before;
        var uncertain = onset is { } o && o.Earliest != o.Latest ? $"\nbegan between {Utc(o.Earliest)} and {Utc(o.Latest)}" : "";
        var fields = new List<SlackText>
        {
            Field("Current value", Number(alert.Value, metric)),
            Field("Expected range", $"{Number(alert.ExpectedLow, metric)} – {Number(alert.ExpectedHigh, metric)}"),
            Field("Change", $"{SignedPercent(alert.RelativeChange)} ({Signed(absolute, metric)} from {Number(alert.Before, metric)})"),
            Field("Since", $"{Utc(alert.ChangeAt)}{uncertain}\n{Duration(alert.DetectedAt - alert.ChangeAt)} before detection"),
        };
        if (alert.Segment.Length > 0)
        {
            fields.Add(Field("Segment", SlackMarkdown.Escape(alert.Segment)));
        }

        if (effect is not null)
        {
            fields.Add(Field("Effect estimate", $"{SignedPercent(effect.Relative)}\ninterval {SignedPercent(effect.Low)} to {SignedPercent(effect.High)}"));
        }

        return fields;
    }

    private static SlackText Field(string label, string value) =>
        SlackText.Markdown(SlackMarkdown.Truncate($"*{label}*\n{value}", SectionBlock.MaxFieldLength));

    private static string DeploymentsText(IReadOnlyList<DeploymentMatch> deployments, TimeSpan window)
    {
        if (deployments.Count == 0)
        {
            return $"*Deployments*\nNo tagged deployment in the {Duration(window)} before the change";
        }

        var lines = deployments.Select(d =>
        {
            var kind = d.Kind is { Length: > 0 } k ? $" ({SlackMarkdown.Escape(k)})" : "";
            return $"• {SlackMarkdown.Escape(d.Service)} {SlackMarkdown.Escape(d.Version)}{kind}, {Duration(TimeSpan.FromMinutes(d.LagMinutes))} before";
        });
        return "*Deployments that line up with the change*\n" + string.Join('\n', lines);
    }

    private static string SegmentsText(IReadOnlyList<SegmentContribution> segments)
    {
        var ranked = segments.OrderByDescending(s => Math.Abs(s.Share)).ToList();
        var lines = ranked.Take(MaxListed).Select(s => $"• {SlackMarkdown.Escape(s.Segment)}: {Percent(s.Share)} of the change ({SignedPercent(s.RelativeChange)})");
        return "*Segments contributing most*\n" + string.Join('\n', lines) + More(ranked.Count);
    }

    private static string ChildrenText(IReadOnlyList<ChildContribution> children, IReadOnlyDictionary<string, string> childNames)
    {
        var ranked = children.OrderByDescending(c => Math.Abs(c.RelativeChange)).ToList();
        var lines = ranked.Take(MaxListed).Select(c =>
        {
            var label = childNames.TryGetValue(c.Metric, out var n) ? $"{SlackMarkdown.Escape(n)} (`{c.Metric}`)" : $"`{c.Metric}`";
            return $"• {label}: {SignedPercent(c.RelativeChange)}";
        });
        return "*Child metrics that moved*\n" + string.Join('\n', lines) + More(ranked.Count);
    }

    private static string More(int count) => count > MaxListed ? $"\n…and {count - MaxListed} more" : "";

    private static string Clip(string text) => SlackMarkdown.Truncate(text, SectionBlock.MaxTextLength);

    private static string RoleName(MetricRole role) => role switch
    {
        MetricRole.NorthStar => "the North Star",
        MetricRole.Input => "an input metric",
        MetricRole.Lever => "a lever",
        _ => "a guardrail",
    };

    private static string Kind(string kind) => kind.Replace('_', ' ');

    /// <summary>0.148 → "14.8%".</summary>
    internal static string Percent(double fraction) => (fraction * 100).ToString("0.0", Invariant) + "%";

    /// <summary>−0.148 → "−14.8%", 0.061 → "+6.1%".</summary>
    internal static string SignedPercent(double fraction) => (fraction < 0 ? "−" : "+") + Percent(Math.Abs(fraction));

    private static string Signed(double value, MetricDefinition metric) => (value < 0 ? "−" : "+") + Number(Math.Abs(value), metric);

    /// <summary>Digits scaled to the magnitude: 12,345 · 123.4 · 1.23 · 0.012 (three decimals, or three significant digits below that) — then the metric's unit.</summary>
    internal static string Number(double value, MetricDefinition metric)
    {
        var magnitude = Math.Abs(value);
        var text = magnitude switch
        {
            >= 1000 => value.ToString("#,0", Invariant),
            >= 10 => value.ToString("#,0.#", Invariant),
            >= 1 => value.ToString("0.##", Invariant),
            0 => "0",
            _ => value.ToString("0.###", Invariant) is var short3 && short3 is not ("0" or "-0") ? short3 : value.ToString("G3", Invariant),
        };
        return metric.Unit is { Length: > 0 } unit ? $"{text} {SlackMarkdown.Escape(unit)}" : text;
    }

    internal static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant) + " UTC";

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant);

    /// <summary>40 min · 6 h · 3 h 10 min · 2 d 4 h.</summary>
    internal static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        var minutes = (long)Math.Round(span.TotalMinutes);
        if (minutes < 60)
        {
            return $"{minutes} min";
        }

        if (minutes < 48 * 60)
        {
            var (h, m) = (minutes / 60, minutes % 60);
            return m == 0 ? $"{h} h" : $"{h} h {m} min";
        }

        var (d, hours) = (minutes / 1440, minutes % 1440 / 60);
        return hours == 0 ? $"{d} d" : $"{d} d {hours} h";
    }
}
