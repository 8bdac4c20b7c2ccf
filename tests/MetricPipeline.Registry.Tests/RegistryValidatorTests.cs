namespace MetricPipeline.Registry.Tests;

public class RegistryValidatorTests
{
    private static MetricDefinition Count(string key, params string[] parents) =>
        new() { Key = key, Name = key, Event = key + "_event", Parents = parents, Dimensions = ["plan", "country"] };

    private static MetricDefinition Ratio(string key, string numerator, string denominator, params string[] dimensions) =>
        new() { Key = key, Name = key, Kind = MetricKind.Ratio, Numerator = numerator, Denominator = denominator, Dimensions = dimensions };

    private static string SingleError(params MetricDefinition[] metrics) => Assert.Single(RegistryValidator.Validate(metrics).Errors);

    [Fact]
    public void Valid_tree_has_no_errors()
    {
        var validation = RegistryValidator.Validate(
        [
            Count("north") with { Role = MetricRole.NorthStar },
            Count("shown", "rate"),
            Count("accepted", "rate"),
            Ratio("rate", "accepted", "shown", "plan") with { Parents = ["north"] },
        ]);

        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
        Assert.Equal(4, validation.Merged.Count);
    }

    [Fact]
    public void Cycle_is_refused_with_its_path()
    {
        var existing = new[] { Count("b", "a"), Count("a") };

        var validation = RegistryValidator.Validate(existing, [Count("a", "b")]);

        Assert.Equal("metric 'a' would create a cycle: a → b → a", Assert.Single(validation.Errors));
    }

    [Fact]
    public void Longer_cycle_names_every_step()
    {
        Assert.Equal("metric 'a' would create a cycle: a → b → c → a", SingleError(Count("a", "b"), Count("b", "c"), Count("c", "a")));
    }

    [Fact]
    public void Self_parent_is_a_cycle()
    {
        Assert.Equal("metric 'a' would create a cycle: a → a", SingleError(Count("a", "a")));
    }

    [Fact]
    public void Diamond_is_not_a_cycle()
    {
        Assert.Empty(RegistryValidator.Validate([Count("top"), Count("l", "top"), Count("r", "top"), Count("leaf", "l", "r")]).Errors);
    }

    [Fact]
    public void Incoming_definition_replaces_the_existing_one()
    {
        var existing = new[] { Count("a") with { Name = "old" }, Count("b") };

        var validation = RegistryValidator.Validate(existing, [Count("a") with { Name = "new" }, Count("c")]);

        Assert.Empty(validation.Errors);
        Assert.Equal(["a", "b", "c"], validation.Merged.Select(m => m.Key));
        Assert.Equal("new", validation.Merged[0].Name);
    }

    [Theory]
    [InlineData("Tasks")]
    [InlineData("ai-tasks")]
    [InlineData("ai tasks")]
    public void Key_outside_the_pattern_is_refused(string key)
    {
        Assert.Equal($"metric '{key}': 'key' must match [a-z0-9_]+ (lowercase letters, digits and underscores)", SingleError(Count(key)));
    }

    [Fact]
    public void Missing_key_names_the_metric_by_position()
    {
        Assert.Equal("metric #2: 'key' is required", SingleError(Count("a"), Count("") with { Name = "x" }));
    }

    [Fact]
    public void Duplicate_key_in_a_document_is_refused()
    {
        Assert.Equal("metric 'a' is defined 2 times; keys must be unique", SingleError(Count("a"), Count("a")));
    }

    [Fact]
    public void Name_is_required()
    {
        Assert.Equal("metric 'a': 'name' is required", SingleError(Count("a") with { Name = " " }));
    }

    [Theory]
    [InlineData(MetricKind.Count, "count")]
    [InlineData(MetricKind.Sum, "sum the value of")]
    [InlineData(MetricKind.DistinctUsers, "count")]
    public void Event_is_required_for_event_kinds(MetricKind kind, string purpose)
    {
        Assert.Equal(
            $"metric 'a': 'event' is required for kind {RegistryNames.Of(kind)} (the event name to {purpose})",
            SingleError(Count("a") with { Kind = kind, Event = null }));
    }

    [Fact]
    public void Ratio_with_an_event_is_refused()
    {
        Assert.Equal(
            "metric 'r': a ratio has no 'event'; its value is numerator / denominator",
            SingleError(Count("n"), Count("d"), Ratio("r", "n", "d") with { Event = "e" }));
    }

    [Fact]
    public void Numerator_on_a_count_is_refused()
    {
        Assert.Equal(
            "metric 'a': 'numerator' and 'denominator' are only for kind ratio, not count",
            SingleError(Count("a") with { Numerator = "b" }));
    }

    [Fact]
    public void Ratio_needs_both_components()
    {
        var errors = RegistryValidator.Validate([Ratio("r", null!, null!)]).Errors;

        Assert.Equal(
            ["metric 'r': 'numerator' is required for kind ratio (a metric key)", "metric 'r': 'denominator' is required for kind ratio (a metric key)"],
            errors);
    }

    [Fact]
    public void Ratio_component_must_exist()
    {
        Assert.Equal("metric 'r': denominator 'missing' does not exist; define it first", SingleError(Count("n"), Ratio("r", "n", "missing")));
    }

    [Fact]
    public void Ratio_component_found_among_existing_definitions_is_accepted()
    {
        Assert.Empty(RegistryValidator.Validate([Count("n"), Count("d")], [Ratio("r", "n", "d", "plan")]).Errors);
    }

    [Fact]
    public void Ratio_of_a_ratio_is_refused()
    {
        Assert.Equal(
            "metric 'r2': numerator 'r' is itself a ratio; use count, sum or distinct_users metrics as components",
            SingleError(Count("n"), Count("d"), Ratio("r", "n", "d"), Ratio("r2", "r", "d")));
    }

    [Fact]
    public void Ratio_dimensions_must_be_shared_by_both_components()
    {
        var denominator = Count("d") with { Dimensions = ["plan"] };

        Assert.Equal(
            "metric 'r': dimension(s) 'country' are not dimensions of denominator 'd'; a ratio can only be segmented by dimensions both components have",
            SingleError(Count("n"), denominator, Ratio("r", "n", "d", "plan", "country")));
    }

    [Fact]
    public void Changing_a_component_revalidates_the_existing_ratio()
    {
        var existing = new[] { Count("n"), Count("d"), Ratio("r", "n", "d", "plan") };

        var validation = RegistryValidator.Validate(existing, [Count("d") with { Dimensions = [] }]);

        Assert.Contains("metric 'r': dimension(s) 'plan' are not dimensions of denominator 'd'", Assert.Single(validation.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_parent_is_refused()
    {
        Assert.Equal("metric 'a': parent 'ghost' does not exist; define it or remove it from 'parents'", SingleError(Count("a", "ghost")));
    }

    [Fact]
    public void Second_north_star_of_a_product_is_refused()
    {
        var a = Count("a") with { Role = MetricRole.NorthStar, Product = "assistant" };
        var b = Count("b") with { Role = MetricRole.NorthStar, Product = "assistant" };
        var c = Count("c") with { Role = MetricRole.NorthStar, Product = "copilot" };

        Assert.Equal(
            "product 'assistant' has 2 north_star metrics ('a', 'b'); keep one and make the others input metrics",
            SingleError(a, b, c));
    }

    [Fact]
    public void North_star_with_parents_is_refused()
    {
        Assert.Equal(
            "metric 'a': a north_star is the root of its tree and cannot have parents",
            SingleError(Count("p"), Count("a", "p") with { Role = MetricRole.NorthStar }));
    }

    [Fact]
    public void Empty_dimension_name_is_refused()
    {
        Assert.Equal("metric 'a': 'dimensions' has an empty name", SingleError(Count("a") with { Dimensions = ["plan", ""] }));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Min_relative_change_outside_zero_to_one_is_refused(double value)
    {
        var error = SingleError(Count("a") with { Alert = new AlertPolicy { MinRelativeChange = value } });

        Assert.StartsWith("metric 'a': 'alert.minRelativeChange' must be in (0, 1]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Min_relative_change_of_one_is_accepted()
    {
        Assert.Empty(RegistryValidator.Validate([Count("a") with { Alert = new AlertPolicy { MinRelativeChange = 1.0 } }]).Errors);
    }

    [Fact]
    public void Slack_webhook_must_be_an_http_url()
    {
        Assert.Equal(
            "metric 'a': 'alert.slackWebhook' must be an absolute http(s) URL",
            SingleError(Count("a") with { Alert = new AlertPolicy { SlackWebhook = "hooks.slack.com/x" } }));
    }

    [Fact]
    public void Slack_channel_must_be_a_channel_id_or_a_hash_name()
    {
        Assert.Empty(RegistryValidator.Validate([Count("a") with { Alert = new AlertPolicy { SlackChannel = "#growth-alerts" } }]).Errors);
        Assert.Empty(RegistryValidator.Validate([Count("a") with { Alert = new AlertPolicy { SlackChannel = "C0123456789" } }]).Errors);
        Assert.StartsWith(
            "metric 'a': 'alert.slackChannel' must be a Slack channel ID",
            SingleError(Count("a") with { Alert = new AlertPolicy { SlackChannel = "growth alerts" } }), StringComparison.Ordinal);
    }

    [Fact]
    public void Undefined_enum_value_is_refused()
    {
        Assert.Equal("metric 'a': role, kind, grain or direction has an undefined value", SingleError(Count("a") with { Grain = (Grain)7 }));
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var validation = RegistryValidator.Validate(
        [
            Count("Bad") with { Name = "" },
            Count("a", "b"),
            Count("b", "a"),
            Ratio("r", "a", "nope"),
        ]);

        Assert.Equal(
        [
            "metric 'Bad': 'key' must match [a-z0-9_]+ (lowercase letters, digits and underscores)",
            "metric 'Bad': 'name' is required",
            "metric 'r': denominator 'nope' does not exist; define it first",
            "metric 'a' would create a cycle: a → b → a",
        ],
        validation.Errors);
        Assert.False(validation.IsValid);
    }
}
