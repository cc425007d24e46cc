package io.dfq.dashboard;

/**
 * HTML escaping for text and quoted attribute values.
 *
 * <p>One function for both contexts: escaping the five significant characters makes a value safe
 * as element text and inside a double- or single-quoted attribute, which are the only places the
 * pages put values.
 */
final class Html {

    private Html() {}

    /** {@code text} with {@code < > & " '} escaped; null as empty. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
