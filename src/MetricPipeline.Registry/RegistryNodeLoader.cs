using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetricPipeline.Registry;

/// <summary>Turns YAML or JSON text into <see cref="RegistryNode"/>s; syntax errors become <see cref="RegistryFormatException"/>.</summary>
internal static class RegistryNodeLoader
{
    public static RegistryNode FromYaml(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new RegistryFormatException($"YAML syntax error at line {e.Start.Line}, column {e.Start.Column}: {InnermostMessage(e)}");
        }

        return stream.Documents.Count switch
        {
            0 => new RegistryScalar(null, 1),
            1 => Convert(stream.Documents[0].RootNode),
            _ => throw new RegistryFormatException($"expected one YAML document, found {stream.Documents.Count} (separated by '---')"),
        };
    }

    public static RegistryNode FromJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
            return Convert(document.RootElement);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new RegistryFormatException($"JSON syntax error{where}: {e.Message}");
        }
    }

    private static RegistryNode Convert(YamlNode node)
    {
        var line = checked((int)node.Start.Line);
        switch (node)
        {
            case YamlScalarNode scalar:
                var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
                return new RegistryScalar(isNull ? null : scalar.Value, line);
            case YamlSequenceNode sequence:
                return new RegistryList([.. sequence.Children.Select(Convert)], line);
            case YamlMappingNode mapping:
                var entries = new List<KeyValuePair<string, RegistryNode>>();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
                    entries.Add(new(name, Convert(value)));
                }

                return new RegistryMap(entries, line);
            default:
                throw new RegistryFormatException($"line {line}: unsupported YAML node");
        }
    }

    private static RegistryNode Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new RegistryMap([.. element.EnumerateObject().Select(p => new KeyValuePair<string, RegistryNode>(p.Name, Convert(p.Value)))], null),
        JsonValueKind.Array => new RegistryList([.. element.EnumerateArray().Select(Convert)], null),
        JsonValueKind.String => new RegistryScalar(element.GetString(), null),
        JsonValueKind.Null => new RegistryScalar(null, null),
        _ => new RegistryScalar(element.GetRawText(), null),
    };

    private static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }
}
