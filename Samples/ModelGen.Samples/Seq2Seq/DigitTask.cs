namespace ModelGen.Samples.Seq2Seq;

/// <summary>
/// The task, generated on the fly with a known answer: reverse a string of random decimal digits. Tokens 0–9 are the
/// digits, <see cref="Start"/> opens every decoder input and <see cref="End"/> closes every target. Batches hold strings
/// of one length (the model takes one length per call), laid out as the model reads them.
/// </summary>
internal static class DigitTask
{
    public const int Digits = 10;
    public const int Start = 10;
    public const int End = 11;
    public const int Vocabulary = 12;

    /// <summary>The longest string the model is built for: trained lengths and the longer ones tested.</summary>
    public const int MaxLength = 10;

    public static int[] Answer(ReadOnlySpan<int> digits)
    {
        var reversed = digits.ToArray();
        Array.Reverse(reversed);
        return reversed;
    }

    public static int[] RandomString(Rng rng, int length)
    {
        var digits = new int[length];
        for (var i = 0; i < length; i++)
        {
            digits[i] = rng.NextInt(Digits);
        }

        return digits;
    }

    public static string Text(ReadOnlySpan<int> tokens)
    {
        var text = new char[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            text[i] = tokens[i] < Digits ? (char)('0' + tokens[i]) : tokens[i] == End ? '$' : '^';
        }

        return new string(text);
    }

    /// <summary>Writes a batch of strings of one length L one-hot, as the encoder reads them: [batch][L][10].</summary>
    public static void FillInputs(IReadOnlyList<int[]> strings, Span<float> inputs)
    {
        var length = strings[0].Length;
        inputs.Slice(0, strings.Count * length * Digits).Clear();
        for (var b = 0; b < strings.Count; b++)
        {
            for (var t = 0; t < length; t++)
            {
                inputs[(((b * length) + t) * Digits) + strings[b][t]] = 1f;
            }
        }
    }

    /// <summary>
    /// Writes what teacher forcing needs for strings of one length L: the decoder inputs (start, then the answer) and
    /// the targets (the answer, then end), both one-hot, [batch][L + 1][12].
    /// </summary>
    public static void FillTeacher(IReadOnlyList<int[]> strings, Span<float> decoderInputs, Span<float> targets)
    {
        var length = strings[0].Length;
        var steps = length + 1;
        decoderInputs.Slice(0, strings.Count * steps * Vocabulary).Clear();
        targets.Slice(0, strings.Count * steps * Vocabulary).Clear();
        for (var b = 0; b < strings.Count; b++)
        {
            var answer = Answer(strings[b]);
            for (var t = 0; t < steps; t++)
            {
                var previous = t == 0 ? Start : answer[t - 1];
                var next = t == length ? End : answer[t];
                decoderInputs[(((b * steps) + t) * Vocabulary) + previous] = 1f;
                targets[(((b * steps) + t) * Vocabulary) + next] = 1f;
            }
        }
    }
}
