namespace MetricPipeline.Alerting;

/// <summary>Bound from the configuration section <c>Slack</c> (<c>Slack__WebhookUrl</c>, …).</summary>
public sealed class SlackOptions
{
    public const string Section = "Slack";

    /// <summary>Default incoming-webhook URL; a metric's <c>alert.slackWebhook</c> overrides it. None: alerts are stored and logged, not posted.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>
    /// Slack app mode: a bot token (<c>xoxb-…</c>, scope <c>chat:write</c>). With it alerts are posted with
    /// <c>chat.postMessage</c>, edited in place with <c>chat.update</c> as they change, and get thread replies.
    /// A secret: never logged.
    /// </summary>
    public string? BotToken { get; set; }

    /// <summary>App mode: the default channel (ID such as <c>C0123456789</c>, or <c>#name</c>); a metric's <c>alert.slackChannel</c> overrides it.</summary>
    public string? Channel { get; set; }

    /// <summary>App mode: the app's signing secret, which verifies the interactive button requests Slack sends. A secret: never logged.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>App mode: base URL of the Slack Web API (tests point it at a local stand-in).</summary>
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>How old a signed Slack request may be (by its <c>X-Slack-Request-Timestamp</c>) before it is refused as a replay.</summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when a bot token is set: Slack app mode instead of incoming webhooks.</summary>
    public bool AppMode => !string.IsNullOrWhiteSpace(BotToken);

    /// <summary>Base of the links in alerts; defaults to the server's own first URL.</summary>
    public string? DashboardBaseUrl { get; set; }

    /// <summary>Posts tried before an alert is marked failed (each claim counts, a 429 too).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How often the dispatcher looks for due alerts when nobody wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for one POST to answer.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Alerts claimed per round; they are posted one after another.</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>
    /// Slack of the claim lease beyond the posts' own worst case: a row claimed by a process that
    /// died is retried once <c>BatchSize × AttemptTimeout + LeaseMargin</c> has passed.
    /// </summary>
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a 5xx, timeout or connection error; doubles each attempt.</summary>
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest retry delay (also the cap on a server's Retry-After).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wait after a 429 that names no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a claimed row stays reserved for the process that claimed it.</summary>
    public TimeSpan Lease => (AttemptTimeout * BatchSize) + LeaseMargin;
}
