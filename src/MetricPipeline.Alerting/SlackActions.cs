namespace MetricPipeline.Alerting;

/// <summary>A row of interactive elements (buttons); Slack sends a click to the app's interactivity URL.</summary>
public sealed record ActionsBlock(IReadOnlyList<SlackButton> Elements, string? BlockId = null) : SlackBlock;

/// <summary>A Block Kit button. <see cref="Value"/> comes back in the click's payload; <see cref="Style"/> is primary, danger or absent.</summary>
public sealed record SlackButton(SlackText Text, string ActionId, string Value, string? Style = null, string Type = "button");

/// <summary>The buttons on an alert message in app mode, and the actions their clicks name.</summary>
public static class AlertButtons
{
    public const string Acknowledge = "alert_acknowledge";
    public const string Resolve = "alert_resolve";
    public const string Expected = "alert_expected";

    /// <summary>What each button does, in the words of the thread reply and the alert history.</summary>
    public static string Describe(string actionId) => actionId switch
    {
        Acknowledge => "acknowledged",
        Resolve => "resolved",
        Expected => "marked as expected (a known change)",
        _ => actionId,
    };

    /// <summary>The buttons an alert in <paramref name="status"/> offers: none once resolved, no Acknowledge once acknowledged.</summary>
    public static ActionsBlock? For(Guid alertId, string status)
    {
        if (status == "resolved")
        {
            return null;
        }

        var value = alertId.ToString();
        var buttons = new List<SlackButton>();
        if (status != "acknowledged")
        {
            buttons.Add(new SlackButton(SlackText.Plain("Acknowledge"), Acknowledge, value, "primary"));
        }

        buttons.Add(new SlackButton(SlackText.Plain("Resolve"), Resolve, value));
        buttons.Add(new SlackButton(SlackText.Plain("Expected — known change"), Expected, value));
        return new ActionsBlock(buttons, "alert_actions");
    }
}
