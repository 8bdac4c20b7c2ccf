using MetricPipeline.Rollup;

namespace MetricPipeline.UnitTests;

/// <summary>What a worker vouches for as its batches start, commit and fail, and when it falls quiet.</summary>
public sealed class RollupProgressTests
{
    private static readonly DateTime T0 = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_fresh_worker_vouches_for_nothing_until_it_has_been_quiet_while_connected()
    {
        var clock = new ManualClock(T0);
        var progress = new RollupProgress(clock);
        Assert.Null(progress.CaughtUpTo(receiving: true, Quiet));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(progress.CaughtUpTo(receiving: false, Quiet));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(clock.Now - Quiet, progress.CaughtUpTo(receiving: true, Quiet));
    }

    [Fact]
    public void Batches_in_flight_hold_the_watermark_at_their_oldest_accept_time()
    {
        var clock = new ManualClock(T0);
        var progress = new RollupProgress(clock);
        var older = progress.Begin(T0.AddMinutes(-30));
        var newer = progress.Begin(T0.AddMinutes(-10));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(T0.AddMinutes(-30), progress.CaughtUpTo(receiving: true, Quiet));

        progress.Committed(newer, T0.AddMinutes(-9));
        Assert.Equal(T0.AddMinutes(-30), progress.CaughtUpTo(receiving: true, Quiet));

        // Between batches: the newest accept time committed; quiet for longer than the quiet period: the queue is drained.
        progress.Committed(older, T0.AddMinutes(-29));
        Assert.Equal(T0.AddMinutes(-9), progress.CaughtUpTo(receiving: true, Quiet));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(clock.Now - Quiet, progress.CaughtUpTo(receiving: true, Quiet));
    }

    [Fact]
    public void A_failed_batch_holds_the_watermark_while_it_may_be_retried()
    {
        var clock = new ManualClock(T0);
        var progress = new RollupProgress(clock);
        var failed = progress.Begin(T0.AddMinutes(-20));
        progress.Failed(failed);
        progress.Committed(progress.Begin(T0.AddMinutes(-5)), T0.AddMinutes(-4));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(T0.AddMinutes(-20), progress.CaughtUpTo(receiving: true, Quiet));

        // Retried and committed: released.
        var retried = progress.Begin(T0.AddMinutes(-20));
        progress.Committed(retried, T0.AddMinutes(-20));
        Assert.Equal(T0.AddMinutes(-20), progress.CaughtUpTo(receiving: true, Quiet));

        // A failure never retried (dead-lettered) stops holding after the hold.
        clock.Advance(RollupProgress.FailedHold);
        Assert.Equal(clock.Now - Quiet, progress.CaughtUpTo(receiving: true, Quiet));
    }

    private sealed class ManualClock(DateTime start) : TimeProvider
    {
        public DateTime Now { get; private set; } = start;

        public void Advance(TimeSpan by) => Now += by;

        public override DateTimeOffset GetUtcNow() => new(Now);
    }
}
