using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricPipeline.Alerting;

/// <summary>
/// A Slack incoming-webhook payload: <c>text</c> is the fallback shown in notifications and by
/// clients that cannot render blocks; <c>blocks</c> is the Block Kit layout.
/// </summary>
public sealed record SlackMessage(string Text, IReadOnlyList<SlackBlock> Blocks)
{
    /// <summary>Slack's names: snake_case, nulls left out (an absent field, not <c>null</c>, is what the API expects).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, SerializerOptions);
}

/// <summary>A Block Kit text object: <c>plain_text</c> or <c>mrkdwn</c>.</summary>
public sealed record SlackText(string Type, string Text, bool? Emoji = null)
{
    public static SlackText Plain(string text) => new("plain_text", text, Emoji: true);

    /// <summary>Slack mrkdwn; callers escape untrusted parts with <see cref="SlackMarkdown.Escape"/>.</summary>
    public static SlackText Markdown(string text) => new("mrkdwn", text);
}

/// <summary>One layout block; the <c>type</c> field names the kind.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HeaderBlock), "header")]
[JsonDerivedType(typeof(SectionBlock), "section")]
[JsonDerivedType(typeof(ContextBlock), "context")]
[JsonDerivedType(typeof(DividerBlock), "divider")]
[JsonDerivedType(typeof(ActionsBlock), "actions")]
public abstract record SlackBlock;

/// <summary>Large bold title; Slack requires plain_text of at most <see cref="MaxTextLength"/> characters.</summary>
public sealed record HeaderBlock(SlackText Text) : SlackBlock
{
    public const int MaxTextLength = 150;
}

/// <summary>A paragraph (<c>text</c>, up to 3000 characters) and/or two-column <c>fields</c> (up to 10, each up to 2000).</summary>
public sealed record SectionBlock(SlackText? Text = null, IReadOnlyList<SlackText>? Fields = null) : SlackBlock
{
    public const int MaxTextLength = 3000;
    public const int MaxFields = 10;
    public const int MaxFieldLength = 2000;
}

/// <summary>Small grey text under the message; up to <see cref="MaxElements"/> elements.</summary>
public sealed record ContextBlock(IReadOnlyList<SlackText> Elements) : SlackBlock
{
    public const int MaxElements = 10;
}

/// <summary>A horizontal rule.</summary>
public sealed record DividerBlock : SlackBlock;

/// <summary>Slack mrkdwn helpers.</summary>
public static class SlackMarkdown
{
    /// <summary>Slack treats &amp;, &lt; and &gt; as control characters in mrkdwn; metric names and segment values are user data.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A link: <c>&lt;url|label&gt;</c>. The URL's own <c>|</c> and <c>&gt;</c> would end it early, so they are percent-encoded.</summary>
    public static string Link(string url, string label) =>
        $"<{url.Replace("|", "%7C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal)}|{Escape(label)}>";

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, ending with an ellipsis when cut.</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
