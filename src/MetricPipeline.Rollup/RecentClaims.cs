namespace MetricPipeline.Rollup;

/// <summary>
/// The (id, event time) pairs this worker has itself committed to <c>seen_events</c> lately. Re-sends mostly follow
/// their original within seconds, so a batch's re-sends are usually here: they are certainly in <c>seen_events</c>
/// already (only committed claims are added), so the worker drops them before it writes, and the rest of the batch
/// can be claimed with a plain insert (<see cref="Data.RollupStore.TryClaimAllAsync"/>). Forgetting an entry only
/// costs the slower path; the database stays the judge of what was seen. Two generations bound the memory: when the
/// current one is full it becomes the previous one and the oldest is dropped.
/// </summary>
public sealed class RecentClaims(int capacityPerGeneration)
{
    private readonly Lock gate = new();
    private HashSet<Claim> current = new(capacityPerGeneration);
    private HashSet<Claim> previous = [];

    public bool Contains(Guid id, DateTime occurredAtUtc)
    {
        var key = new Claim(id, occurredAtUtc.Ticks);
        lock (gate)
        {
            return current.Contains(key) || previous.Contains(key);
        }
    }

    /// <summary>Remembers claims that have been committed; call only after the commit.</summary>
    public void AddCommitted(Guid[] ids, DateTime[] occurredAtUtc, int count)
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                if (current.Count >= capacityPerGeneration)
                {
                    (previous, current) = (current, new HashSet<Claim>(capacityPerGeneration));
                }

                current.Add(new Claim(ids[i], occurredAtUtc[i].Ticks));
            }
        }
    }

    /// <summary>An id and its event time, compared and hashed without the general tuple comparer.</summary>
    private readonly struct Claim(Guid id, long ticks) : IEquatable<Claim>
    {
        private readonly Guid id = id;
        private readonly long ticks = ticks;

        public bool Equals(Claim other) => id == other.id && ticks == other.ticks;

        public override bool Equals(object? obj) => obj is Claim other && Equals(other);

        public override int GetHashCode() => id.GetHashCode() ^ ticks.GetHashCode();
    }
}
