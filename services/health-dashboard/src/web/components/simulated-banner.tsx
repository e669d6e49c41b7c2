/** Shown on every page while HomeIQ records the built-in simulated home instead of a real Home Assistant. */
export function SimulatedBanner({ simulated }: { simulated: boolean | null | undefined }) {
  if (!simulated) return null;
  return (
    <div className="banner" role="alert" data-testid="simulated-banner">
      SIMULATED HOME — HomeIQ is recording a built-in simulated Home Assistant, not yours. Set HA_URL and HA_TOKEN to
      connect your home.
    </div>
  );
}
