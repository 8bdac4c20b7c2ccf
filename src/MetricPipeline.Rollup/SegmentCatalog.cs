using System.Collections.Concurrent;
using MetricPipeline.Data;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>
/// Maps a dimension value to its segment under the cardinality cap. The admitted values live in
/// Postgres; this caches them per (metric, dimension). A value once admitted stays admitted, and
/// once the cap is full every new value maps to "other", so all workers agree on every mapping.
/// </summary>
public sealed class SegmentCatalog(int cap)
{
    private readonly ConcurrentDictionary<(string Metric, string Dimension), Admitted> cache = new();

    public int Cap => cap;

    /// <summary>Admits (or learns of) every value in <paramref name="wanted"/> that the cache cannot yet map.</summary>
    public async Task PrepareAsync(
        NpgsqlConnection connection, IReadOnlyDictionary<(string Metric, string Dimension), HashSet<string>> wanted, CancellationToken ct)
    {
        foreach (var ((metric, dimension), values) in wanted)
        {
            var admitted = cache.GetOrAdd((metric, dimension), key => new Admitted(key.Dimension));
            var unknown = values.Where(v => !admitted.Knows(v)).OrderBy(v => v, StringComparer.Ordinal).ToList();
            if (unknown.Count == 0)
            {
                continue;
            }

            admitted.Replace(await DimensionValueStore.AdmitAsync(connection, metric, dimension, unknown, cap, ct), cap);
        }
    }

    /// <summary>True when the value cannot be mapped without <see cref="PrepareAsync"/>.</summary>
    public bool NeedsLookup(string metric, string dimension, string value) =>
        !cache.TryGetValue((metric, dimension), out var admitted) || !admitted.Knows(value);

    /// <summary>The segment name for a value (null: the event lacks the property).</summary>
    public string SegmentFor(string metric, string dimension, string? value)
    {
        if (value is null)
        {
            return SegmentNames.Of(dimension, SegmentNames.Missing);
        }

        return cache.TryGetValue((metric, dimension), out var admitted) && admitted.TryName(value, out var name)
            ? name
            : SegmentNames.Of(dimension, SegmentNames.Other);
    }

    private sealed class Admitted(string dimension)
    {
        private volatile Dictionary<string, string> names = new(StringComparer.Ordinal);
        private volatile bool full;

        /// <summary>Known: admitted, or certain to be "other" because the cap is full.</summary>
        public bool Knows(string value) => full || names.ContainsKey(value);

        public bool TryName(string value, out string name) => names.TryGetValue(value, out name!);

        public void Replace(List<string> values, int cap)
        {
            names = values.ToDictionary(v => v, v => SegmentNames.Of(dimension, v), StringComparer.Ordinal);
            full = values.Count >= cap;
        }
    }
}
