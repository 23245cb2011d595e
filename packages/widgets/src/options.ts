// What a site owner can set on the container: <div data-vouch="signup" data-extra-field="Company" …>.

export interface WidgetOptions {
  title?: string;
  description?: string;
  button: string;
  consent: string;
  /** Labels of the optional extra fields; absent fields are not shown. */
  extraField?: string;
  extraField2?: string;
  hideName: boolean;
  shareText: string;
}

export function readOptions(el: HTMLElement): WidgetOptions {
  const attr = (name: string) => el.getAttribute(`data-${name}`)?.trim() || undefined;
  const options: WidgetOptions = {
    button: attr("button") ?? "Get my referral link",
    consent: attr("consent") ?? "I agree to receive emails about the referral program.",
    hideName: attr("name") === "hidden",
    shareText: attr("share-text") ?? "I've been using this and think you'd like it too:",
  };
  const title = attr("title");
  const description = attr("description");
  const extraField = attr("extra-field");
  const extraField2 = attr("extra-field-2");
  if (title) options.title = title;
  if (description) options.description = description;
  if (extraField) options.extraField = extraField;
  if (extraField2) options.extraField2 = extraField2;
  return options;
}
