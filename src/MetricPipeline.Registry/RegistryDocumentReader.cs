using System.Globalization;

namespace MetricPipeline.Registry;

/// <summary>
/// Reads registry documents (<c>metrics: [...]</c>) from YAML or JSON, and single definitions
/// (for <c>PUT /v1/metrics/{key}</c>) from JSON. Checks the shape only — fields, types, enum
/// spellings; the rules between metrics are <see cref="RegistryValidator"/>'s job.
/// Every problem is collected and thrown together as a <see cref="RegistryFormatException"/>.
/// </summary>
public static class RegistryDocumentReader
{
    private static readonly string[] MetricFields =
    [
        "key", "name", "description", "owner", "unit", "role", "kind", "event", "product", "filter",
        "numerator", "denominator", "dimensions", "grain", "direction", "parents", "alert", "knownLimitations",
    ];

    private static readonly string[] AlertFields = ["minRelativeChange", "sensitivity", "slackWebhook", "slackChannel"];

    public static RegistryDocument ReadYaml(string text) => ReadDocument(RegistryNodeLoader.FromYaml(text));

    public static RegistryDocument ReadJson(string text) => ReadDocument(RegistryNodeLoader.FromJson(text));

    /// <summary>
    /// Picks the format from a Content-Type: anything mentioning <c>yaml</c> is YAML, anything
    /// mentioning <c>json</c> is JSON; otherwise an error naming the accepted types.
    /// </summary>
    public static RegistryDocument Read(string text, string? contentType)
    {
        var type = contentType ?? "";
        if (type.Contains("yaml", StringComparison.OrdinalIgnoreCase))
        {
            return ReadYaml(text);
        }

        if (type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return ReadJson(text);
        }

        throw new RegistryFormatException($"unsupported Content-Type '{contentType}': send application/yaml or application/json");
    }

    /// <summary>
    /// One definition as JSON (an item of the document). When <paramref name="routeKey"/> is given
    /// the body's <c>key</c> may be omitted; if present it must equal the route's key.
    /// </summary>
    public static MetricDefinition ReadDefinitionJson(string json, string? routeKey = null)
    {
        var node = RegistryNodeLoader.FromJson(json);
        var errors = new List<string>();
        var definition = ReadMetric(node, 0, routeKey, errors);
        if (errors.Count > 0 || definition is null)
        {
            throw new RegistryFormatException(errors.Count > 0 ? errors : ["expected one metric definition as a JSON object"]);
        }

        return definition;
    }

    private static RegistryDocument ReadDocument(RegistryNode root)
    {
        if (root is not RegistryMap map)
        {
            throw new RegistryFormatException($"the document must be a mapping with a 'metrics' list, found {root.Describe()}{At(root)}");
        }

        var errors = new List<string>();
        RegistryList? list = null;
        foreach (var (name, value) in map.Entries)
        {
            if (name != "metrics")
            {
                errors.Add($"unknown top-level field '{name}'{At(value)}: the document has only 'metrics'");
            }
            else if (value is RegistryList l)
            {
                list = l;
            }
            else if (value is not RegistryScalar { Value: null })
            {
                errors.Add($"field 'metrics'{At(value)}: expected a list of metric definitions, found {value.Describe()}");
            }
        }

        if (list is not null && list.Items.Count > RegistryLimits.MaxMetrics)
        {
            throw new RegistryFormatException($"the document holds {list.Items.Count} metrics; the limit is {RegistryLimits.MaxMetrics} per document: split it");
        }

        var metrics = new List<MetricDefinition>();
        for (var i = 0; list is not null && i < list.Items.Count; i++)
        {
            if (ReadMetric(list.Items[i], i, null, errors) is { } metric)
            {
                metrics.Add(metric);
            }
        }

        if (errors.Count > 0)
        {
            throw new RegistryFormatException(errors);
        }

        return new RegistryDocument(metrics);
    }

    private static MetricDefinition? ReadMetric(RegistryNode node, int index, string? routeKey, List<string> errors)
    {
        if (node is not RegistryMap map)
        {
            errors.Add($"metric #{index + 1}{At(node)}: expected a mapping of fields, found {node.Describe()}");
            return null;
        }

        var fields = map.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var key = fields.TryGetValue("key", out var keyNode) && keyNode is RegistryScalar { Value: { } k } ? k : null;
        var label = key is not null ? $"metric '{key}'" : routeKey is not null ? $"metric '{routeKey}'" : $"metric #{index + 1}";
        var reader = new FieldReader(label, errors);

        foreach (var (name, value) in map.Entries)
        {
            if (!MetricFields.Contains(name))
            {
                errors.Add($"{label}, field '{name}'{At(value)}: unknown field; known fields are {string.Join(", ", MetricFields)}");
            }
        }

        if (routeKey is not null && key is not null && key != routeKey)
        {
            errors.Add($"{label}, field 'key'{At(keyNode!)}: the body's key '{key}' differs from the URL's key '{routeKey}'");
        }

        var alert = new AlertPolicy();
        if (fields.TryGetValue("alert", out var alertNode) && alertNode is not RegistryScalar { Value: null })
        {
            if (alertNode is RegistryMap alertMap)
            {
                var alertFields = alertMap.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                foreach (var (name, value) in alertMap.Entries.Where(e => !AlertFields.Contains(e.Key)))
                {
                    errors.Add($"{label}, field 'alert.{name}'{At(value)}: unknown field; known fields are {string.Join(", ", AlertFields)}");
                }

                alert = new AlertPolicy
                {
                    MinRelativeChange = reader.Number(alertFields, "minRelativeChange", "alert.") ?? alert.MinRelativeChange,
                    Sensitivity = reader.Number(alertFields, "sensitivity", "alert."),
                    SlackWebhook = reader.Text(alertFields, "slackWebhook", "alert."),
                    SlackChannel = reader.Text(alertFields, "slackChannel", "alert."),
                };
            }
            else
            {
                errors.Add($"{label}, field 'alert'{At(alertNode)}: expected a mapping like {{ minRelativeChange: 0.05 }}, found {alertNode.Describe()}");
            }
        }

        return new MetricDefinition
        {
            Key = reader.Text(fields, "key") ?? routeKey ?? "",
            Name = reader.Text(fields, "name") ?? "",
            Description = reader.Text(fields, "description"),
            Owner = reader.Text(fields, "owner"),
            Unit = reader.Text(fields, "unit"),
            Role = reader.Enum(fields, "role", MetricRole.Input),
            Kind = reader.Enum(fields, "kind", MetricKind.Count),
            Event = reader.Text(fields, "event"),
            Product = reader.Text(fields, "product"),
            Filter = reader.TextMap(fields, "filter"),
            Numerator = reader.Text(fields, "numerator"),
            Denominator = reader.Text(fields, "denominator"),
            Dimensions = reader.TextList(fields, "dimensions"),
            Grain = reader.Enum(fields, "grain", Grain.Hour),
            Direction = reader.Enum(fields, "direction", Direction.Up),
            Parents = reader.TextList(fields, "parents"),
            Alert = alert,
            KnownLimitations = reader.Text(fields, "knownLimitations"),
        };
    }

    private static string At(RegistryNode node) => node.Line is { } line ? $" (line {line})" : "";

    /// <summary>Reads typed fields of one metric, adding an error per bad field instead of stopping.</summary>
    private sealed class FieldReader(string label, List<string> errors)
    {
        public string? Text(Dictionary<string, RegistryNode> fields, string name, string prefix = "")
        {
            if (!fields.TryGetValue(name, out var node))
            {
                return null;
            }

            if (node is RegistryScalar scalar)
            {
                return scalar.Value;
            }

            Fail(prefix + name, node, $"expected a single value, found {node.Describe()}");
            return null;
        }

        public double? Number(Dictionary<string, RegistryNode> fields, string name, string prefix = "")
        {
            var text = Text(fields, name, prefix);
            if (text is null)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            Fail(prefix + name, fields[name], $"'{text}' is not a number");
            return null;
        }

        public TEnum Enum<TEnum>(Dictionary<string, RegistryNode> fields, string name, TEnum fallback)
            where TEnum : struct, Enum
        {
            var text = Text(fields, name);
            if (text is null)
            {
                return fallback;
            }

            if (RegistryNames.TryParse<TEnum>(text, out var value))
            {
                return value;
            }

            Fail(name, fields[name], $"'{text}' is not one of {string.Join(", ", RegistryNames.All<TEnum>())}");
            return fallback;
        }

        public List<string> TextList(Dictionary<string, RegistryNode> fields, string name)
        {
            if (!fields.TryGetValue(name, out var node) || node is RegistryScalar { Value: null })
            {
                return [];
            }

            if (node is not RegistryList list)
            {
                Fail(name, node, $"expected a list like [a, b], found {node.Describe()}");
                return [];
            }

            var values = new List<string>();
            foreach (var item in list.Items)
            {
                if (item is RegistryScalar { Value: { } value })
                {
                    values.Add(value);
                }
                else
                {
                    Fail(name, item, $"list items must be plain values, found {item.Describe()}");
                }
            }

            return values;
        }

        public Dictionary<string, string> TextMap(Dictionary<string, RegistryNode> fields, string name)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!fields.TryGetValue(name, out var node) || node is RegistryScalar { Value: null })
            {
                return result;
            }

            if (node is not RegistryMap map)
            {
                Fail(name, node, $"expected a mapping like {{ platform: web }}, found {node.Describe()}");
                return result;
            }

            foreach (var (property, value) in map.Entries)
            {
                if (value is RegistryScalar { Value: { } text })
                {
                    result[property] = text;
                }
                else
                {
                    Fail($"{name}.{property}", value, $"expected a single value, found {value.Describe()}");
                }
            }

            return result;
        }

        private void Fail(string field, RegistryNode node, string problem) => errors.Add($"{label}, field '{field}'{At(node)}: {problem}");
    }
}
