using MetricPipeline.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Data;

/// <remarks>
/// The rollup's tables, <c>buckets</c> and <c>seen_events</c>, are not in this model: they are
/// time-partitioned and written with set-based SQL (<see cref="RollupStore"/>, <see cref="TimePartitions"/>),
/// and their DDL lives in the <c>SketchesAndPartitions</c> migration.
/// </remarks>
public sealed class MetricPipelineDbContext(DbContextOptions<MetricPipelineDbContext> options) : DbContext(options)
{
    public DbSet<MetricRecord> Metrics => Set<MetricRecord>();
    public DbSet<RegistryState> RegistryState => Set<RegistryState>();
    public DbSet<DimensionValue> DimensionValues => Set<DimensionValue>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertHistory> AlertHistory => Set<AlertHistory>();
    public DbSet<DetectorRun> DetectorRuns => Set<DetectorRun>();
    public DbSet<ParkedEvent> ParkedEvents => Set<ParkedEvent>();
    public DbSet<DetectorFinding> DetectorFindings => Set<DetectorFinding>();
    public DbSet<RollupWorkerProgress> RollupWatermarks => Set<RollupWorkerProgress>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MetricRecord>(e =>
        {
            e.ToTable("metrics");
            e.HasKey(m => m.Key);
            e.Property(m => m.Definition).HasColumnType("jsonb");
        });
        modelBuilder.Entity<RegistryState>(e =>
        {
            e.ToTable("registry_state");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).ValueGeneratedNever();
            e.HasData(new RegistryState { Id = 1, Version = 0 });
        });
        modelBuilder.Entity<DimensionValue>(e =>
        {
            e.ToTable("dimension_values");
            e.HasKey(d => new { d.MetricKey, d.Dimension, d.Value });
        });

        modelBuilder.Entity<Deployment>(e =>
        {
            e.ToTable("deployments");
            e.HasKey(d => d.Id);
            e.HasIndex(d => d.StartedAt);
        });
        modelBuilder.Entity<Alert>(e =>
        {
            e.ToTable("alerts");
            e.HasKey(a => a.Id);
            e.HasIndex(a => a.Fingerprint).IsUnique();
            e.HasIndex(a => new { a.Status, a.MetricKey });
            e.HasIndex(a => new { a.SlackState, a.SlackNextAttemptAt });
            e.Property(a => a.Deployments).HasColumnType("jsonb");
            e.Property(a => a.Effect).HasColumnType("jsonb");
            e.Property(a => a.Contributors).HasColumnType("jsonb");
            e.Property(a => a.Onset).HasColumnType("jsonb");
        });
        modelBuilder.Entity<AlertHistory>(e =>
        {
            e.ToTable("alert_history");
            e.HasKey(h => h.Id);
            e.HasIndex(h => new { h.AlertId, h.At });
        });
        modelBuilder.Entity<DetectorRun>(e =>
        {
            e.ToTable("detector_runs");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.StartedAt);
        });
        modelBuilder.Entity<RollupWorkerProgress>(e =>
        {
            e.ToTable("rollup_watermarks");
            e.HasKey(w => w.Instance);
        });
        modelBuilder.Entity<ParkedEvent>(e =>
        {
            e.ToTable("parked_events");
            e.HasKey(p => p.Id);
            e.HasIndex(p => p.ParkedAt);
        });
        modelBuilder.Entity<DetectorFinding>(e =>
        {
            e.ToTable("detector_findings");
            e.HasKey(f => f.Id);
            e.HasIndex(f => new { f.MetricKey, f.Segment, f.StartAt });
        });

        SnakeCaseNames.Apply(modelBuilder);
    }
}
