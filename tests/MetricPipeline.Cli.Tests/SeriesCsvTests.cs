namespace MetricPipeline.Cli.Tests;

/// <summary>The CSV rules shared by the offline commands: header row, column y or the last one, optional t.</summary>
public sealed class SeriesCsvTests
{
    [Fact]
    public void The_y_column_is_found_by_name_in_any_case_and_t_is_kept_as_written()
    {
        var series = Read("T,Y,note\n2026-01-01,1.5,a\n2026-01-02,-2e3,b\n");

        Assert.Equal(["2026-01-01", "2026-01-02"], series.T!);
        Assert.Equal([1.5, -2000.0], series.Y);
    }

    [Fact]
    public void Without_y_the_last_column_is_read_and_there_is_no_t()
    {
        var series = Read("day,sessions\nmon,3\ntue,4\n");

        Assert.Null(series.T);
        Assert.Equal([3.0, 4.0], series.Y);
    }

    [Fact]
    public void Quoted_fields_and_blank_lines_are_handled()
    {
        var series = Read("t,label,y\n\n\"0\",\"a, \"\"quoted\"\" label\",1\n\n1,b,2\n");

        Assert.Equal(["0", "1"], series.T!);
        Assert.Equal([1.0, 2.0], series.Y);
    }

    [Theory]
    [InlineData("t,y\n0,1\n1,NA\n", "line 3: 'NA' in column 'y'")]
    [InlineData("t,y\n0,1\n1\n", "line 3: 1 field(s)")]
    [InlineData("t,y\n", "no data rows")]
    [InlineData("", "is empty")]
    [InlineData("t,y\n0,\"1\n", "not closed")]
    public void Bad_input_names_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static CsvSeries Read(string text)
    {
        using var reader = new StringReader(text);
        return SeriesCsv.Read(reader, "input.csv");
    }
}
