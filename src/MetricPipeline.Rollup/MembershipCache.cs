using MetricPipeline.Data;

namespace MetricPipeline.Rollup;

/// <summary>
/// The distinct-user memberships this worker has already committed. <c>bucket_users</c> only ever
/// gains rows, so a committed membership stays: writing it again would be skipped by
/// <c>ON CONFLICT DO NOTHING</c> and add nothing to <c>users</c>. Leaving such rows out of the
/// statement gives the same result without their index probes and WAL. Only committed rows are
/// remembered, so a rolled-back batch cannot hide a membership. Bounded: when full it starts over
/// (forgetting costs only a redundant write).
/// </summary>
public sealed class MembershipCache(int capacity)
{
    private readonly Lock gate = new();
    private HashSet<BucketMembership> committed = [];

    /// <summary>The memberships not known to be committed, in their original (sorted) order.</summary>
    public List<BucketMembership> Unwritten(List<BucketMembership> sorted)
    {
        if (capacity <= 0)
        {
            return sorted;
        }

        lock (gate)
        {
            return sorted.FindAll(m => !committed.Contains(m));
        }
    }

    /// <summary>Call after the transaction that wrote <paramref name="written"/> has committed.</summary>
    public void Remember(List<BucketMembership> written)
    {
        if (capacity <= 0)
        {
            return;
        }

        lock (gate)
        {
            if (committed.Count + written.Count > capacity)
            {
                committed = [];
            }

            committed.UnionWith(written);
        }
    }
}
