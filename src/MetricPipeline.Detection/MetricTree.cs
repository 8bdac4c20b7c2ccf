using MetricPipeline.Registry;

namespace MetricPipeline.Detection;

/// <summary>The registry as a tree: parents before children, each node's children and ancestors.</summary>
public sealed class MetricTree
{
    private readonly Dictionary<string, MetricDefinition> byKey;
    private readonly ILookup<string, MetricDefinition> children;

    public MetricTree(IReadOnlyList<MetricDefinition> metrics)
    {
        byKey = metrics.ToDictionary(m => m.Key, StringComparer.Ordinal);
        children = metrics.SelectMany(m => m.Parents.Select(p => (Parent: p, Child: m))).ToLookup(x => x.Parent, x => x.Child, StringComparer.Ordinal);
        TopDown = [.. metrics.OrderBy(Depth).ThenBy(m => m.Key, StringComparer.Ordinal)];
    }

    /// <summary>Every node, roots first, each after all of its parents.</summary>
    public IReadOnlyList<MetricDefinition> TopDown { get; }

    public MetricDefinition? Find(string key) => byKey.GetValueOrDefault(key);

    public IEnumerable<MetricDefinition> Children(string key) => children[key];

    /// <summary>The key itself and every key above it in the tree.</summary>
    public IReadOnlySet<string> SelfAndAncestors(string key)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([key]);
        while (stack.TryPop(out var k))
        {
            if (seen.Add(k) && byKey.TryGetValue(k, out var m))
            {
                foreach (var p in m.Parents)
                {
                    stack.Push(p);
                }
            }
        }

        return seen;
    }

    /// <summary>Longest path to a root (the registry refuses cycles; the visited set guards anyway).</summary>
    private int Depth(MetricDefinition metric)
    {
        var depth = 0;
        var frontier = new List<string>(metric.Parents);
        var seen = new HashSet<string>(StringComparer.Ordinal) { metric.Key };
        while (frontier.Count > 0)
        {
            depth++;
            frontier = [.. frontier.Where(seen.Add).SelectMany(k => byKey.TryGetValue(k, out var p) ? p.Parents : [])];
        }

        return depth;
    }
}
