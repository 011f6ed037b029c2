// GOV.UK Frontend's components, started without an inline script (the CSP allows none).
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// Fields shown only for one radio answer (the verdict's reason, for a rejection): GOV.UK's
// conditional reveal without its aria-expanded on a radio, which axe-core refuses
// (aria-allowed-attr). Without JavaScript the fields simply stay visible.
for (const group of document.querySelectorAll('[data-app-reveal-group]')) {
  const radios = group.querySelectorAll('input[type="radio"]')
  const update = () => {
    for (const radio of radios) {
      const target = radio.dataset.appReveals && document.getElementById(radio.dataset.appReveals)
      if (target) target.classList.toggle('govuk-radios__conditional--hidden', !radio.checked)
    }
  }
  for (const radio of radios) radio.addEventListener('change', update)
  update()
}
