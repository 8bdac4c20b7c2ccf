using System.Text.RegularExpressions;

namespace MetricPipeline.Registry;

/// <summary>The outcome of validating a registry change: every error, and the registry it would produce.</summary>
public sealed record RegistryValidation(IReadOnlyList<string> Errors, IReadOnlyList<MetricDefinition> Merged)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Checks a registry change as a whole: <c>existing</c> definitions plus <c>incoming</c> ones
/// (an incoming key replaces the existing definition). Pure; returns every problem found so the
/// caller can refuse the change with all of them at once.
/// </summary>
/// <remarks>
/// Rules beyond the field checks, chosen so every node can be computed and alerted on:
/// <list type="bullet">
/// <item>a ratio's numerator and denominator are count/sum/distinct_users metrics, not ratios:
/// a ratio of ratios has no single per-bucket aggregation, define it on the underlying events;</item>
/// <item>a ratio's dimensions are a subset of both components' dimensions, so each segment's ratio
/// is numerator(segment) / denominator(segment); a ratio takes no event and no filter (filter the components);</item>
/// <item>at most one north_star per product (metrics without a product form one group), and a
/// north_star has no parents: it is the root of its product's tree;</item>
/// <item>parents exist and the parent links form a DAG; a cycle is reported with its path.</item>
/// </list>
/// </remarks>
public static partial class RegistryValidator
{
    public static RegistryValidation Validate(IReadOnlyList<MetricDefinition> incoming) => Validate([], incoming);

    public static RegistryValidation Validate(IReadOnlyList<MetricDefinition> existing, IReadOnlyList<MetricDefinition> incoming)
    {
        var errors = new List<string>();

        foreach (var duplicate in incoming.Where(m => m.Key.Length > 0).GroupBy(m => m.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"metric '{duplicate.Key}' is defined {duplicate.Count()} times; keys must be unique");
        }

        var merged = Merge(existing, incoming);
        var byKey = new Dictionary<string, MetricDefinition>(StringComparer.Ordinal);
        foreach (var metric in merged)
        {
            byKey.TryAdd(metric.Key, metric);
        }

        for (var i = 0; i < merged.Count; i++)
        {
            CheckFields(merged[i], i, byKey, errors);
        }

        CheckNorthStars(merged, errors);
        CheckCycles(incoming, merged, byKey, errors);
        return new RegistryValidation(errors, merged);
    }

    private static List<MetricDefinition> Merge(IReadOnlyList<MetricDefinition> existing, IReadOnlyList<MetricDefinition> incoming)
    {
        var replacements = new Dictionary<string, MetricDefinition>(StringComparer.Ordinal);
        foreach (var metric in incoming)
        {
            replacements[metric.Key] = metric;
        }

        var merged = new List<MetricDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in existing)
        {
            merged.Add(replacements.TryGetValue(metric.Key, out var replacement) ? replacement : metric);
            seen.Add(metric.Key);
        }

        foreach (var metric in incoming)
        {
            if (seen.Add(metric.Key) || metric.Key.Length == 0)
            {
                merged.Add(metric);
            }
        }

        return merged;
    }

    private static void CheckFields(MetricDefinition m, int index, Dictionary<string, MetricDefinition> byKey, List<string> errors)
    {
        var label = m.Key.Length > 0 ? $"metric '{m.Key}'" : $"metric #{index + 1}";
        void Error(string problem) => errors.Add($"{label}: {problem}");

        if (m.Key.Length == 0)
        {
            Error("'key' is required");
        }
        else if (!KeyPattern().IsMatch(m.Key))
        {
            Error("'key' must match [a-z0-9_]+ (lowercase letters, digits and underscores)");
        }

        if (string.IsNullOrWhiteSpace(m.Name))
        {
            Error("'name' is required");
        }

        if (!Enum.IsDefined(m.Role) || !Enum.IsDefined(m.Kind) || !Enum.IsDefined(m.Grain) || !Enum.IsDefined(m.Direction))
        {
            Error("role, kind, grain or direction has an undefined value");
        }

        if (m.Kind == MetricKind.Ratio)
        {
            CheckRatio(m, byKey, Error);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(m.Event))
            {
                Error($"'event' is required for kind {RegistryNames.Of(m.Kind)} (the event name to {(m.Kind == MetricKind.Sum ? "sum the value of" : "count")})");
            }

            if (m.Numerator is not null || m.Denominator is not null)
            {
                Error($"'numerator' and 'denominator' are only for kind ratio, not {RegistryNames.Of(m.Kind)}");
            }
        }

        if (m.Filter.Keys.Any(string.IsNullOrWhiteSpace))
        {
            Error("'filter' has an empty property name");
        }

        if (m.Dimensions.Any(string.IsNullOrWhiteSpace))
        {
            Error("'dimensions' has an empty name");
        }

        foreach (var repeated in m.Dimensions.GroupBy(d => d, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Error($"dimension '{repeated.Key}' is listed {repeated.Count()} times");
        }

        foreach (var parent in m.Parents.Where(p => !byKey.ContainsKey(p)))
        {
            Error($"parent '{parent}' does not exist; define it or remove it from 'parents'");
        }

        if (m.Role == MetricRole.NorthStar && m.Parents.Count > 0)
        {
            Error("a north_star is the root of its tree and cannot have parents");
        }

        CheckAlert(m.Alert, Error);
        RegistryTextRules.Check(m, Error);
    }

    private static void CheckRatio(MetricDefinition m, Dictionary<string, MetricDefinition> byKey, Action<string> error)
    {
        if (m.Event is not null)
        {
            error("a ratio has no 'event'; its value is numerator / denominator");
        }

        if (m.Filter.Count > 0)
        {
            error("a ratio has no 'filter'; put the filter on its numerator and denominator metrics");
        }

        foreach (var (field, componentKey) in new[] { ("numerator", m.Numerator), ("denominator", m.Denominator) })
        {
            if (string.IsNullOrWhiteSpace(componentKey))
            {
                error($"'{field}' is required for kind ratio (a metric key)");
                continue;
            }

            if (componentKey == m.Key)
            {
                error($"'{field}' cannot be the ratio itself");
                continue;
            }

            if (!byKey.TryGetValue(componentKey, out var component))
            {
                error($"{field} '{componentKey}' does not exist; define it first");
                continue;
            }

            if (component.Kind == MetricKind.Ratio)
            {
                error($"{field} '{componentKey}' is itself a ratio; use count, sum or distinct_users metrics as components");
                continue;
            }

            var missing = m.Dimensions.Where(d => !component.Dimensions.Contains(d)).ToList();
            if (missing.Count > 0)
            {
                error($"dimension(s) {string.Join(", ", missing.Select(d => $"'{d}'"))} are not dimensions of {field} '{componentKey}'; a ratio can only be segmented by dimensions both components have");
            }
        }
    }

    private static void CheckAlert(AlertPolicy alert, Action<string> error)
    {
        if (!(alert.MinRelativeChange > 0 && alert.MinRelativeChange <= 1))
        {
            error($"'alert.minRelativeChange' must be in (0, 1], e.g. 0.05 for 5%; got {alert.MinRelativeChange}");
        }

        if (alert.Sensitivity is { } sensitivity && !(sensitivity > 0))
        {
            error($"'alert.sensitivity' must be positive; got {sensitivity}");
        }

        if (alert.SlackWebhook is { } hook
            && !(Uri.TryCreate(hook, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            error("'alert.slackWebhook' must be an absolute http(s) URL");
        }

        if (alert.SlackChannel is { } channel && !SlackChannelName().IsMatch(channel))
        {
            error($"'alert.slackChannel' must be a Slack channel ID such as C0123456789 or a name such as #growth-alerts; got '{channel}'");
        }
    }

    private static void CheckNorthStars(List<MetricDefinition> merged, List<string> errors)
    {
        foreach (var group in merged.Where(m => m.Role == MetricRole.NorthStar).GroupBy(m => m.Product ?? "", StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var product = group.Key.Length > 0 ? $"product '{group.Key}'" : "metrics without a product";
            errors.Add($"{product} has {group.Count()} north_star metrics ({string.Join(", ", group.Select(m => $"'{m.Key}'"))}); keep one and make the others input metrics");
        }
    }

    /// <summary>
    /// Depth-first search along parent links, starting from the incoming metrics so the message
    /// names the metric whose change closes the loop. Each distinct cycle is reported once.
    /// </summary>
    private static void CheckCycles(IReadOnlyList<MetricDefinition> incoming, List<MetricDefinition> merged, Dictionary<string, MetricDefinition> byKey, List<string> errors)
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false = on the stack, true = done
        var stack = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);

        void Visit(string key)
        {
            state[key] = false;
            stack.Add(key);
            foreach (var parent in byKey[key].Parents.Distinct(StringComparer.Ordinal))
            {
                if (!byKey.ContainsKey(parent))
                {
                    continue;
                }

                if (!state.TryGetValue(parent, out var done))
                {
                    Visit(parent);
                }
                else if (!done)
                {
                    var path = stack.Skip(stack.IndexOf(parent)).Append(parent).ToList();
                    var identity = string.Join(",", path.Skip(1).Order(StringComparer.Ordinal));
                    if (reported.Add(identity))
                    {
                        errors.Add($"metric '{parent}' would create a cycle: {string.Join(" → ", path)}");
                    }
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[key] = true;
        }

        foreach (var key in incoming.Concat(merged).Select(m => m.Key).Where(byKey.ContainsKey))
        {
            if (!state.ContainsKey(key))
            {
                Visit(key);
            }
        }
    }

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex KeyPattern();

    /// <summary>A channel ID (C…, G…) or a #name as Slack allows them (lower case, digits, - and _, at most 80).</summary>
    [GeneratedRegex("^([CG][A-Z0-9]{6,}|#[a-z0-9_-]{1,80})$")]
    private static partial Regex SlackChannelName();
}
