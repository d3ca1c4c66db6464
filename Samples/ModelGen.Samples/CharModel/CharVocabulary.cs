namespace ModelGen.Samples.CharModel;

/// <summary>
/// The fixed character set of the <c>charmodel</c> sample, sorted by code point: newline, space, comma, full stop
/// and the lower-case letters. It is fixed (not read from the text) because the model's attributes need the
/// vocabulary size as a constant; <see cref="Encode"/> checks that a text fits it.
/// </summary>
internal static class CharVocabulary
{
    public const string Alphabet = "\n ,.abcdefghijklmnopqrstuvwxyz";

    /// <summary>The vocabulary size, <c>Alphabet.Length</c> (checked by <see cref="Encode"/>).</summary>
    public const int Size = 30;

    /// <summary>
    /// The token id of every character of <paramref name="text"/>; throws if the alphabet is not as documented or
    /// if the text's sorted distinct characters are not a subset of it.
    /// </summary>
    public static byte[] Encode(string text)
    {
        if (Alphabet.Length != Size || !Alphabet.SequenceEqual(Alphabet.Order()))
        {
            throw new InvalidOperationException($"the alphabet must be sorted and hold exactly {Size} characters");
        }

        char[] distinct = [.. text.Distinct().Order()];
        char[] unknown = [.. distinct.Where(c => !Alphabet.Contains(c))];
        if (unknown.Length > 0)
        {
            throw new InvalidOperationException($"the text has characters outside the vocabulary: {string.Join(" ", unknown.Select(c => $"U+{(int)c:X4}"))}");
        }

        var ids = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            ids[i] = (byte)Alphabet.IndexOf(text[i], StringComparison.Ordinal);
        }

        return ids;
    }

    public static char Decode(int id) => Alphabet[id];
}
