using System.Text.Json;
using MetricPipeline.Api;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;

namespace MetricPipeline.UnitTests;

/// <summary>The alert's typed parts as the detector stores them in the jsonb columns and as Slack and the API read them back.</summary>
public sealed class AlertDetailsTests
{
    private static readonly DeploymentMatch Ranker = new(Guid.Parse("9a0e0c1d-0000-4000-8000-00000000000a"), "ranker", "2.3.0", 40, "model");

    private static readonly AlertDetails Found = new(
        [Ranker, new DeploymentMatch(Guid.Parse("9a0e0c1d-0000-4000-8000-00000000000b"), "flags", "dark-mode", 0, "feature_flag")],
        new EffectInterval(-0.121, -0.151, -0.089),
        new AlertContributors(
            [new ChildContribution("messages_sent", -0.082)],
            [new SegmentContribution("plan=free", 0.72, -0.201), new SegmentContribution("country=US", 0.18, -0.05)]),
        OnsetInterval.Of(new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 20, 11, 0, 0, DateTimeKind.Utc)));

    private static Alert Row() => new()
    {
        Fingerprint = "f", MetricKey = "ai_tasks", Segment = "", Kind = "level_shift", Direction = "bad", Status = "open", SlackState = "pending",
    };

    private static Alert Stored(AlertDetails details)
    {
        var alert = Row();
        details.WriteTo(alert);
        return alert;
    }

    [Fact]
    public void Parts_written_by_the_detector_read_back_equal()
    {
        Assert.Equal(Found, AlertDetails.Of(Stored(Found)));
    }

    [Fact]
    public void Parts_are_stored_in_the_json_shape_the_interface_names()
    {
        var alert = Stored(Found);
        using var deployments = JsonDocument.Parse(alert.Deployments);
        Assert.Equal(["id", "service", "version", "lagMinutes", "kind"], deployments.RootElement[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(40, deployments.RootElement[0].GetProperty("lagMinutes").GetInt32());
        using var effect = JsonDocument.Parse(alert.Effect!);
        Assert.Equal(["relative", "low", "high"], effect.RootElement.EnumerateObject().Select(p => p.Name));
        using var contributors = JsonDocument.Parse(alert.Contributors);
        Assert.Equal(["metric", "relativeChange"], contributors.RootElement.GetProperty("children")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["segment", "share", "relativeChange"], contributors.RootElement.GetProperty("segments")[0].EnumerateObject().Select(p => p.Name));
        using var onset = JsonDocument.Parse(alert.Onset!);
        Assert.Equal("2026-11-20T08:00:00+00:00", onset.RootElement.GetProperty("earliest").GetString());
        Assert.Equal("2026-11-20T11:00:00+00:00", onset.RootElement.GetProperty("latest").GetString());
    }

    [Fact]
    public void Numbers_are_stored_to_six_decimals_so_an_unchanged_shift_compares_equal()
    {
        var precise = Found with { Effect = new EffectInterval(-0.12345678901, -0.2, -0.05) };
        Assert.Equal(new EffectInterval(-0.123457, -0.2, -0.05), AlertDetails.Of(Stored(precise)).Effect);
        Assert.Equal(AlertDetails.Of(Stored(precise)), AlertDetails.Of(Stored(AlertDetails.Of(Stored(precise)))));
    }

    [Fact]
    public void An_effect_or_contributor_with_a_non_finite_number_is_not_stored()
    {
        var odd = new AlertDetails(
            [],
            new EffectInterval(-0.1, double.NegativeInfinity, 0.2),
            new AlertContributors([new ChildContribution("a", double.NaN)], [new SegmentContribution("plan=free", 0.5, -0.1), new SegmentContribution("plan=pro", double.PositiveInfinity, 0)]));
        var alert = Stored(odd);
        Assert.Null(alert.Effect);
        Assert.Equal(new AlertContributors([], [new SegmentContribution("plan=free", 0.5, -0.1)]), AlertDetails.Of(alert).Contributors);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void A_missing_or_malformed_column_reads_as_empty(string? json)
    {
        var alert = Row();
        alert.Deployments = json!;
        alert.Effect = json;
        alert.Contributors = json!;
        alert.Onset = json;
        var details = AlertDetails.Of(alert);
        Assert.Empty(details.Deployments);
        Assert.Null(details.Effect);
        Assert.Equal(AlertContributors.None, details.Contributors);
        Assert.Null(details.Onset);
    }

    [Fact]
    public void An_item_missing_a_field_or_with_one_of_the_wrong_type_is_left_out_and_the_rest_kept()
    {
        var alert = Row();
        alert.Deployments = """
            [{"service":"no-id","version":"1","lagMinutes":5},
             {"id":"not-a-guid","service":"x","version":"1","lagMinutes":5},
             {"id":"9a0e0c1d-0000-4000-8000-00000000000a","service":null,"version":"1","lagMinutes":5},
             "a string", 7,
             {"id":"9a0e0c1d-0000-4000-8000-00000000000a","service":"ranker","version":"2.3.0","kind":"model","lagMinutes":40,"score":0.9}]
            """;
        alert.Effect = """{"relative":-0.1,"low":-0.2}""";
        alert.Contributors = """
            {"children":"nope",
             "segments":[{"share":0.5,"relativeChange":-0.1},{"segment":"plan=pro","share":true,"relativeChange":-0.1},{"segment":"plan=free","share":0.72,"relativeChange":-0.201}],
             "note":"unknown fields are ignored"}
            """;
        var details = AlertDetails.Of(alert);
        Assert.Equal([Ranker], details.Deployments);
        Assert.Null(details.Effect);
        Assert.Empty(details.Contributors.Children);
        Assert.Equal([new SegmentContribution("plan=free", 0.72, -0.201)], details.Contributors.Segments);
    }

    [Theory]
    [InlineData("""{"earliest":"2026-11-20T08:00:00Z"}""")]
    [InlineData("""{"earliest":"yesterday","latest":"2026-11-20T11:00:00Z"}""")]
    [InlineData("""{"earliest":"2026-11-20T11:00:00Z","latest":"2026-11-20T08:00:00Z"}""")]
    public void An_onset_missing_a_bound_or_with_bounds_out_of_order_is_left_out(string json)
    {
        var alert = Stored(Found);
        alert.Onset = json;
        Assert.Equal(Found with { Onset = null }, AlertDetails.Of(alert));
    }

    [Fact]
    public void Numbers_written_as_strings_and_a_deployment_without_a_kind_are_read()
    {
        var alert = Row();
        alert.Deployments = """[{"id":"9a0e0c1d-0000-4000-8000-00000000000a","service":"ranker","version":"2.3.0","lagMinutes":"95"}]""";
        alert.Effect = """{"relative":"-0.1","low":"-0.2","high":"0.01","method":"stl-forecast"}""";
        var details = AlertDetails.Of(alert);
        Assert.Equal([Ranker with { LagMinutes = 95, Kind = null }], details.Deployments);
        Assert.Equal(new EffectInterval(-0.1, -0.2, 0.01), details.Effect);
    }

    [Theory]
    [InlineData(40, 40)]
    [InlineData(0.4, 0)]
    [InlineData(0.6, 1)]
    [InlineData(-30, 0)]
    public void A_deployments_lag_is_whole_minutes_before_the_onset_and_never_negative(double minutesBefore, int lag)
    {
        var onset = new DateTime(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);
        var deployment = new Deployment { Service = "ranker", Version = "2.3.0", Kind = "model", StartedAt = new DateTimeOffset(onset.AddMinutes(-minutesBefore), TimeSpan.Zero) };
        Assert.Equal(lag, DeploymentMatch.Of(deployment, onset).LagMinutes);
    }

    [Fact]
    public void The_api_view_of_an_old_or_damaged_row_has_empty_parts_instead_of_failing()
    {
        var alert = Row();
        alert.Deployments = "{not json";
        alert.Effect = "[1,2]";
        alert.Contributors = """{"children":[{"metric":"messages_sent","relativeChange":-0.08}]}""";
        alert.Onset = "{}";
        var view = AlertView.Of(alert);
        Assert.Null(view.Onset);
        Assert.Empty(view.Deployments);
        Assert.Null(view.Effect);
        Assert.Equal(new AlertContributors([new ChildContribution("messages_sent", -0.08)], []), view.Contributors);
    }
}
