using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MetricPipeline.Registry;

/// <summary>Turns YAML or JSON text into <see cref="RegistryNode"/>s; syntax errors become <see cref="RegistryFormatException"/>.</summary>
internal static class RegistryNodeLoader
{
    /// <summary>
    /// Reads YAML from the parser's events, never through YamlDotNet's object model: anchors and aliases are refused
    /// (an alias can point at its own ancestor, or expand exponentially), and depth and node count are bounded.
    /// </summary>
    public static RegistryNode FromYaml(string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return new RegistryScalar(null, 1);
            }

            parser.Consume<DocumentStart>();
            var root = new YamlBudget().Read(parser, 1);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                throw new RegistryFormatException("expected one YAML document, found more (separated by '---')");
            }

            return root;
        }
        catch (YamlException e)
        {
            throw new RegistryFormatException($"YAML syntax error at line {e.Start.Line}, column {e.Start.Column}: {InnermostMessage(e)}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way on some malformed input (found by the fuzz tests); it is still bad input.
            throw new RegistryFormatException($"the YAML could not be read: {e.Message}", e);
        }
    }

    public static RegistryNode FromJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(
                text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip, MaxDepth = RegistryLimits.MaxDepth });
            var nodes = 0;
            return Convert(document.RootElement, ref nodes);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new RegistryFormatException($"JSON syntax error{where}: {e.Message}");
        }
    }

    private static RegistryNode Convert(JsonElement element, ref int nodes)
    {
        if (++nodes > RegistryLimits.MaxNodes)
        {
            throw new RegistryFormatException($"the document has more than {RegistryLimits.MaxNodes} values");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<string, RegistryNode>>();
                foreach (var p in element.EnumerateObject())
                {
                    entries.Add(new(p.Name, Convert(p.Value, ref nodes)));
                }

                return new RegistryMap(entries, null);
            case JsonValueKind.Array:
                var items = new List<RegistryNode>();
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(Convert(item, ref nodes));
                }

                return new RegistryList(items, null);
            case JsonValueKind.String:
                return new RegistryScalar(element.GetString(), null);
            case JsonValueKind.Null:
                return new RegistryScalar(null, null);
            default:
                return new RegistryScalar(element.GetRawText(), null);
        }
    }

    private static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    /// <summary>Builds nodes from parser events, counting them and refusing aliases, anchors and deep nesting.</summary>
    private sealed class YamlBudget
    {
        private int nodes;

        public RegistryNode Read(IParser parser, int depth)
        {
            var line = checked((int)parser.Current!.Start.Line);
            if (++nodes > RegistryLimits.MaxNodes)
            {
                throw new RegistryFormatException($"the document has more than {RegistryLimits.MaxNodes} values");
            }

            if (parser.Current is AnchorAlias alias)
            {
                throw new RegistryFormatException($"line {line}: YAML aliases (*{alias.Value}) are not accepted in a registry document; write the values out");
            }

            if (parser.Current is NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                throw new RegistryFormatException($"line {line}: YAML anchors (&{anchored.Anchor}) are not accepted in a registry document; write the values out");
            }

            if (depth > RegistryLimits.MaxDepth && parser.Current is SequenceStart or MappingStart)
            {
                throw new RegistryFormatException($"line {line}: nested more than {RegistryLimits.MaxDepth} levels deep");
            }

            if (parser.TryConsume<Scalar>(out var scalar))
            {
                var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                return new RegistryScalar(isNull ? null : scalar.Value, line);
            }

            if (parser.TryConsume<SequenceStart>(out _))
            {
                var items = new List<RegistryNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(Read(parser, depth + 1));
                }

                return new RegistryList(items, line);
            }

            if (parser.TryConsume<MappingStart>(out _))
            {
                var entries = new List<KeyValuePair<string, RegistryNode>>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = Read(parser, depth + 1);
                    if (key is not RegistryScalar keyScalar)
                    {
                        throw new RegistryFormatException($"line {key.Line}: a mapping key must be a plain value, found {key.Describe()}");
                    }

                    entries.Add(new(keyScalar.Value ?? "", Read(parser, depth + 1)));
                }

                return new RegistryMap(entries, line);
            }

            throw new RegistryFormatException($"line {line}: unsupported YAML node");
        }
    }
}
