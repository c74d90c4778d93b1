/**
 * The program's entry point: {@link lsk.Main} is the one file that knows every command and the
 * only class named in the build (the jar's Main-Class).
 *
 * <p>May import: every package (nothing imports it).
 */
package lsk;
