import type { ComponentChildren } from "preact";

export function PageHeader({
  title,
  subtitle,
  actions,
  badges,
}: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
  badges?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <div class="page-heading">
        <h1 tabIndex={-1}>{title}</h1>
        {badges && <div class="page-badges">{badges}</div>}
        {subtitle && <p class="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </div>
  );
}

export function Section({
  title,
  actions,
  children,
  id,
  description,
}: {
  title: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  id?: string;
  description?: ComponentChildren;
}) {
  return (
    <section class="section" aria-labelledby={id}>
      <div class="section-header">
        <div>
          <h2 id={id}>{title}</h2>
          {description && <p class="section-description">{description}</p>}
        </div>
        {actions && <div class="section-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
