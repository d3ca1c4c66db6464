using System.Text;

namespace ModelGen.Samples.CharModel;

/// <summary>
/// The sample's training text, generated (nothing is downloaded) by a small probabilistic grammar of plain
/// English sentences about sailors, millers, foxes and villages: lower case, commas and full stops, paragraphs
/// of three to six sentences, one per line. The same seed always gives the same text.
/// </summary>
internal static class CharCorpus
{
    private static readonly string[] People =
    [
        "sailor", "farmer", "child", "woman", "fox", "dog", "horse", "king", "queen", "soldier", "shepherd", "miller",
        "baker", "girl", "boy", "stranger", "traveller", "wolf", "cat", "hunter", "fisherman", "widow", "merchant", "captain",
    ];

    private static readonly string[] Things =
    [
        "boat", "bread", "letter", "lamp", "basket", "stone", "apple", "rope", "coat", "key", "cup", "book", "sword",
        "ring", "net", "bell", "candle", "blanket", "map", "kettle",
    ];

    private static readonly string[] Places =
    [
        "harbor", "forest", "village", "river", "hill", "market", "garden", "church", "mill", "road", "bridge", "field",
        "sea", "valley", "castle", "well", "shore", "inn",
    ];

    private static readonly string[] Adjectives =
    [
        "old", "young", "tired", "quiet", "little", "brave", "poor", "kind", "grey", "dark", "small", "tall", "hungry",
        "gentle", "proud", "lonely", "honest", "ancient",
    ];

    private static readonly string[] Intransitive =
    [
        "walked", "slept", "waited", "sang", "laughed", "wept", "rested", "listened", "prayed", "ran", "returned",
        "wandered", "worked", "stayed",
    ];

    private static readonly string[] Transitive =
    [
        "found", "carried", "saw", "lost", "opened", "mended", "sold", "buried", "watched", "followed", "called",
        "remembered", "hid", "wanted",
    ];

    private static readonly string[] Adverbs = ["slowly", "quietly", "again", "at last", "all day", "for a while", "in silence", "once more"];

    private static readonly string[] Prepositions = ["to", "across", "near", "through", "by", "into", "from", "beyond", "along"];

    private static readonly string[] Openers =
    [
        "in the morning", "at night", "when the rain stopped", "after a long winter", "one day", "before dawn",
        "that evening", "in the spring", "long ago",
    ];

    private static readonly string[] Conjunctions = ["and", "but", "so", "while", "because"];

    private static readonly string[] Pronouns = ["he", "she", "they"];

    private static readonly string[] Owners = ["the", "a", "his", "her", "their"];

    /// <summary>Paragraphs of generated sentences until the text holds at least <paramref name="minLength"/> characters.</summary>
    public static string Generate(int minLength, ulong seed)
    {
        var rng = new Rng(seed);
        var text = new StringBuilder(minLength + 512);
        while (text.Length < minLength)
        {
            int sentences = 3 + rng.NextInt(4);
            for (int s = 0; s < sentences; s++)
            {
                if (s > 0)
                {
                    text.Append(' ');
                }

                Sentence(text, rng);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static void Sentence(StringBuilder text, Rng rng)
    {
        if (rng.NextFloat() < 0.3f)
        {
            text.Append(Pick(Openers, rng)).Append(", ");
        }

        if (rng.NextFloat() < 0.12f)
        {
            // Reported speech: "the miller said that ..."
            Subject(text, rng, allowPronoun: false);
            text.Append(" said that ");
        }

        Clause(text, rng);
        if (rng.NextFloat() < 0.3f)
        {
            text.Append(", ").Append(Pick(Conjunctions, rng)).Append(' ');
            Clause(text, rng);
        }

        text.Append('.');
    }

    private static void Clause(StringBuilder text, Rng rng)
    {
        Subject(text, rng, allowPronoun: true);
        text.Append(' ');
        if (rng.NextFloat() < 0.45f)
        {
            text.Append(Pick(Intransitive, rng));
            if (rng.NextFloat() < 0.35f)
            {
                text.Append(' ').Append(Pick(Adverbs, rng));
            }

            if (rng.NextFloat() < 0.55f)
            {
                Place(text, rng);
            }
        }
        else
        {
            text.Append(Pick(Transitive, rng)).Append(' ');
            NounPhrase(text, Pick(Owners, rng), rng.NextFloat() < 0.7f ? Things : People, rng);
            if (rng.NextFloat() < 0.35f)
            {
                Place(text, rng);
            }
        }
    }

    private static void Subject(StringBuilder text, Rng rng, bool allowPronoun)
    {
        if (allowPronoun && rng.NextFloat() < 0.15f)
        {
            text.Append(Pick(Pronouns, rng));
        }
        else
        {
            NounPhrase(text, "the", People, rng);
        }
    }

    private static void Place(StringBuilder text, Rng rng)
    {
        text.Append(' ').Append(Pick(Prepositions, rng)).Append(' ');
        NounPhrase(text, "the", Places, rng);
    }

    private static void NounPhrase(StringBuilder text, string determiner, string[] nouns, Rng rng)
    {
        string? adjective = rng.NextFloat() < 0.4f ? Pick(Adjectives, rng) : null;
        string noun = Pick(nouns, rng);
        if (determiner == "a" && "aeiou".Contains((adjective ?? noun)[0], StringComparison.Ordinal))
        {
            determiner = "an";
        }

        text.Append(determiner).Append(' ');
        if (adjective is not null)
        {
            text.Append(adjective).Append(' ');
        }

        text.Append(noun);
    }

    private static string Pick(string[] words, Rng rng) => words[rng.NextInt(words.Length)];
}
