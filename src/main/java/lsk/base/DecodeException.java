package lsk.base;

/**
 * Bytes or text from outside (a peer's token, a kernel buffer, an upcall line, a key file) that
 * do not follow their format. The one exception every codec throws; the message names the field
 * at fault and never holds secret bytes. Which errno or GSS status it becomes is decided where it
 * is caught (the command or daemon edge), not here.
 */
public class DecodeException extends Exception {
    private final String field;

    /**
     * @param field the field or format at fault, e.g. {@code "rsi.token"} or {@code "key file header"}
     * @param why   what is wrong with it
     */
    public DecodeException(String field, String why) {
        super(field + ": " + why);
        this.field = field;
    }

    public DecodeException(String field, String why, Throwable cause) {
        super(field + ": " + why, cause);
        this.field = field;
    }

    /** The field or format named at construction. */
    public String field() {
        return field;
    }
}
