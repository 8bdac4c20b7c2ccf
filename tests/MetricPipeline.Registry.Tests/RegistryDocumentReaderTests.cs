using System.Text.Json;

namespace MetricPipeline.Registry.Tests;

public class RegistryDocumentReaderTests
{
    private const string FullYaml = """
        metrics:
          - key: ai_tasks
            name: AI-assisted tasks completed
            description: Tasks a user finished
            owner: growth-team
            unit: tasks
            role: north_star
            kind: count
            event: task_completed
            product: assistant
            filter: { platform: web }
            dimensions: [plan, country]
            grain: hour
            direction: up
            parents: []
            alert: { minRelativeChange: 0.07, sensitivity: 3, slackWebhook: null }
            knownLimitations: late mobile events
          - key: rate
            name: Acceptance rate
            role: input
            kind: ratio
            numerator: accepted
            denominator: shown
            grain: day
            direction: down
            parents: [ai_tasks]
        """;

    [Fact]
    public void Yaml_document_maps_every_field()
    {
        var document = RegistryDocumentReader.ReadYaml(FullYaml);

        Assert.Equal(2, document.Metrics.Count);
        var first = document.Metrics[0];
        Assert.Equal("ai_tasks", first.Key);
        Assert.Equal("AI-assisted tasks completed", first.Name);
        Assert.Equal("Tasks a user finished", first.Description);
        Assert.Equal("growth-team", first.Owner);
        Assert.Equal("tasks", first.Unit);
        Assert.Equal(MetricRole.NorthStar, first.Role);
        Assert.Equal(MetricKind.Count, first.Kind);
        Assert.Equal("task_completed", first.Event);
        Assert.Equal("assistant", first.Product);
        Assert.Equal("web", first.Filter["platform"]);
        Assert.Equal(["plan", "country"], first.Dimensions);
        Assert.Equal(Grain.Hour, first.Grain);
        Assert.Equal(Direction.Up, first.Direction);
        Assert.Empty(first.Parents);
        Assert.Equal(0.07, first.Alert.MinRelativeChange);
        Assert.Equal(3.0, first.Alert.Sensitivity);
        Assert.Null(first.Alert.SlackWebhook);
        Assert.Equal("late mobile events", first.KnownLimitations);

        var second = document.Metrics[1];
        Assert.Equal(MetricKind.Ratio, second.Kind);
        Assert.Equal("accepted", second.Numerator);
        Assert.Equal("shown", second.Denominator);
        Assert.Equal(Grain.Day, second.Grain);
        Assert.Equal(Direction.Down, second.Direction);
        Assert.Equal(["ai_tasks"], second.Parents);
        Assert.Equal(0.05, second.Alert.MinRelativeChange);
    }

    [Fact]
    public void Json_document_reads_the_same_as_yaml()
    {
        var fromYaml = RegistryDocumentReader.ReadYaml(FullYaml);
        var json = JsonSerializer.Serialize(fromYaml, RegistryJson.SerializerOptions);

        var fromJson = RegistryDocumentReader.ReadJson(json);

        Assert.Equal(
            JsonSerializer.Serialize(fromYaml, RegistryJson.SerializerOptions),
            JsonSerializer.Serialize(fromJson, RegistryJson.SerializerOptions));
    }

    [Fact]
    public void Serialised_definitions_use_camel_case_fields_and_snake_case_enums()
    {
        var document = RegistryDocumentReader.ReadYaml(FullYaml);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(document.Metrics[0], RegistryJson.SerializerOptions));
        var root = json.RootElement;

        Assert.Equal("north_star", root.GetProperty("role").GetString());
        Assert.Equal("count", root.GetProperty("kind").GetString());
        Assert.Equal("hour", root.GetProperty("grain").GetString());
        Assert.Equal("up", root.GetProperty("direction").GetString());
        Assert.Equal(0.07, root.GetProperty("alert").GetProperty("minRelativeChange").GetDouble());
        Assert.Equal("late mobile events", root.GetProperty("knownLimitations").GetString());
    }

    [Fact]
    public void Serializer_options_round_trip_distinct_users_kind()
    {
        var metric = new MetricDefinition { Key = "dau", Name = "DAU", Kind = MetricKind.DistinctUsers, Event = "message_sent" };

        var json = JsonSerializer.Serialize(metric, RegistryJson.SerializerOptions);
        var back = JsonSerializer.Deserialize<MetricDefinition>(json, RegistryJson.SerializerOptions);

        Assert.Contains("\"kind\":\"distinct_users\"", json, StringComparison.Ordinal);
        Assert.Equal(MetricKind.DistinctUsers, back!.Kind);
    }

    [Fact]
    public void Unknown_field_is_an_error_naming_metric_field_and_line()
    {
        const string yaml = """
            metrics:
              - key: ai_tasks
                name: Tasks
                event: task_completed
                colour: blue
            """;

        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.ReadYaml(yaml));

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("metric 'ai_tasks', field 'colour' (line 5): unknown field", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_enum_value_names_metric_field_line_and_the_allowed_values()
    {
        const string yaml = """
            metrics:
              - key: ai_tasks
                name: Tasks
                role: northstar
                event: task_completed
            """;

        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.ReadYaml(yaml));

        Assert.Equal(
            "metric 'ai_tasks', field 'role' (line 4): 'northstar' is not one of north_star, input, lever, guardrail",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void All_format_errors_are_reported_together()
    {
        const string yaml = """
            metrics:
              - key: a
                name: A
                grain: minute
                alert: { minRelativeChange: lots, pager: yes }
              - key: b
                name: B
                kind: median
                dimensions: plan
            """;

        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.ReadYaml(yaml));

        Assert.Equal(5, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.StartsWith("metric 'a', field 'grain' (line 4): 'minute' is not one of hour, day, week", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("metric 'a', field 'alert.pager' (line 5)", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("metric 'a', field 'alert.minRelativeChange' (line 5): 'lots' is not a number", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("metric 'b', field 'kind' (line 8)", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("metric 'b', field 'dimensions' (line 9): expected a list", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_unknown_field_and_bad_enum_name_the_metric()
    {
        const string json = """{"metrics":[{"key":"x","name":"X","event":"e","grain":"minute","extra":1}]}""";

        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.ReadJson(json));

        Assert.Contains("metric 'x', field 'grain': 'minute' is not one of hour, day, week", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("metric 'x', field 'extra': unknown field", StringComparison.Ordinal));
    }

    [Fact]
    public void Yaml_syntax_error_reports_its_line()
    {
        const string yaml = "metrics:\n  - key: a\n    name: [unclosed\n";

        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.ReadYaml(yaml));

        Assert.StartsWith("YAML syntax error at line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_top_level_field_is_an_error()
    {
        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.ReadYaml("metric:\n  - key: a\n"));

        Assert.StartsWith("unknown top-level field 'metric' (line 2)", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Single_definition_takes_its_key_from_the_route_when_omitted()
    {
        var metric = RegistryDocumentReader.ReadDefinitionJson("""{"name":"Tasks","event":"task_completed","kind":"sum"}""", "tasks");

        Assert.Equal("tasks", metric.Key);
        Assert.Equal(MetricKind.Sum, metric.Kind);
    }

    [Fact]
    public void Single_definition_with_a_different_key_than_the_route_is_refused()
    {
        var error = Assert.Throws<RegistryFormatException>(
            () => RegistryDocumentReader.ReadDefinitionJson("""{"key":"other","name":"Tasks","event":"e"}""", "tasks"));

        Assert.Equal("metric 'other', field 'key': the body's key 'other' differs from the URL's key 'tasks'", Assert.Single(error.Errors));
    }

    [Theory]
    [InlineData("application/yaml", "metrics: []")]
    [InlineData("application/json; charset=utf-8", """{"metrics":[]}""")]
    public void Content_type_selects_the_format(string contentType, string body)
    {
        Assert.Empty(RegistryDocumentReader.Read(body, contentType).Metrics);
    }

    [Fact]
    public void Unsupported_content_type_is_refused_with_the_accepted_ones()
    {
        var error = Assert.Throws<RegistryFormatException>(() => RegistryDocumentReader.Read("metrics: []", "text/plain"));

        Assert.Contains("application/yaml or application/json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_registry_parses_and_validates()
    {
        var document = RegistryDocumentReader.ReadYaml(File.ReadAllText(SeedFiles.PathOf("metrics.yaml")));

        var validation = RegistryValidator.Validate(document.Metrics);

        Assert.Empty(validation.Errors);
        Assert.Equal(2, document.Metrics.Count(m => m.Role == MetricRole.NorthStar));
        Assert.Contains(document.Metrics, m => m.Kind == MetricKind.Ratio);
        Assert.Contains(document.Metrics, m => m.Kind == MetricKind.DistinctUsers);
        Assert.Contains(document.Metrics, m => m.Kind == MetricKind.Sum);
        Assert.Equal(2, document.Metrics.Count(m => m.Role == MetricRole.Guardrail && m.Direction == Direction.Down));
    }
}
