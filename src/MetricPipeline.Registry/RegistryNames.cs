namespace MetricPipeline.Registry;

/// <summary>
/// The exact spellings used in registry documents and JSON for the enums
/// (<c>north_star</c>, <c>distinct_users</c>, …): snake_case of the member name.
/// </summary>
public static class RegistryNames
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => ToSnake(value.ToString());

    /// <summary>All accepted spellings of <typeparamref name="TEnum"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum => [.. Enum.GetValues<TEnum>().Select(v => Of(v))];

    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string ToSnake(string pascal)
    {
        var chars = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    chars.Append('_');
                }

                chars.Append(char.ToLowerInvariant(c));
            }
            else
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}
