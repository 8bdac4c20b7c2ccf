using MetricPipeline.Contracts;

namespace MetricPipeline.Registry;

/// <summary>
/// Size and content limits on a definition's text: every field is stored (in <c>jsonb</c>) and several become
/// index keys, so each must be text PostgreSQL accepts (<see cref="StoredText"/>) and of bounded length.
/// </summary>
internal static class RegistryTextRules
{
    public static void Check(MetricDefinition m, Action<string> error)
    {
        if (m.Key.Length > RegistryLimits.MaxKeyLength)
        {
            error($"'key' is {m.Key.Length} characters long; the limit is {RegistryLimits.MaxKeyLength}");
        }

        void Field(string field, string? text, int maxBytes)
        {
            if (text is not null && StoredText.Problem($"'{field}'", text, maxBytes) is { } problem)
            {
                error(problem);
            }
        }

        Field("name", m.Name, RegistryLimits.MaxNameBytes);
        Field("description", m.Description, RegistryLimits.MaxTextBytes);
        Field("owner", m.Owner, RegistryLimits.MaxNameBytes);
        Field("unit", m.Unit, RegistryLimits.MaxNameBytes);
        Field("event", m.Event, RegistryLimits.MaxNameBytes);
        Field("product", m.Product, RegistryLimits.MaxNameBytes);
        Field("numerator", m.Numerator, RegistryLimits.MaxKeyLength);
        Field("denominator", m.Denominator, RegistryLimits.MaxKeyLength);
        Field("knownLimitations", m.KnownLimitations, RegistryLimits.MaxTextBytes);
        Field("alert.slackWebhook", m.Alert.SlackWebhook, RegistryLimits.MaxTextBytes);
        foreach (var (property, value) in m.Filter)
        {
            Field("filter", property, RegistryLimits.MaxNameBytes);
            Field($"filter.{Clip(property)}", value, StoredText.MaxValueBytes);
        }

        foreach (var dimension in m.Dimensions)
        {
            Field("dimensions", dimension, RegistryLimits.MaxNameBytes);
        }

        foreach (var parent in m.Parents)
        {
            Field("parents", parent, RegistryLimits.MaxKeyLength);
        }
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
