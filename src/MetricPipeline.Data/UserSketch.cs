namespace MetricPipeline.Data;

/// <summary>
/// Distinct users are kept as HyperLogLog sketches of the <c>hll</c> extension (Citus's postgresql-hll),
/// one per (metric, hour bucket, segment). Precision: 2^14 registers of 5 bits, so the relative standard
/// error above the explicit threshold is 1.04 / √16384 ≈ 0.81 %. Sets of up to 1,280 users are stored
/// explicitly as their 64-bit hashes (<c>expthresh = -1</c>: as long as that is smaller than the full
/// sketch), which is exact unless two user ids share a 64-bit hash. Days, weeks and any range are unions of
/// hour sketches, so a union is as accurate as one sketch.
/// </summary>
public static class UserSketch
{
    public const int Log2M = 14;
    public const int RegisterWidth = 5;

    /// <summary>Largest set kept explicitly (exact): the full sketch's size in 64-bit hashes, 2^14 × 5 bits / 64.</summary>
    public const int ExplicitThreshold = 1_280;

    /// <summary>1.04 / √(2^14): the relative standard error of a sketch past the explicit threshold.</summary>
    public static readonly double RelativeStandardError = 1.04 / Math.Sqrt(1 << Log2M);

    /// <summary>SQL that folds hashed user ids (<c>hll_hashval</c>) into one sketch with the project's parameters.</summary>
    public static string AddAggregate(string hashExpression) => $"hll_add_agg({hashExpression}, {Log2M}, {RegisterWidth}, -1, 1)";
}
