# Harbour pages — English. Every key here must exist in uk and ru too (tested).

## Frame
skip-to-content = Skip to content
nav-label = Main
nav-home = Home
nav-cases = Cases
nav-new-referral = New referral
lang-switch = Language
logout = Log out
footer-text = Harbour — National Referral Mechanism. Everything you open is recorded in the access log.
yes = Yes
no = No
continue = Continue
back = Back
overdue = overdue

## Login
login-title = Log in
login-intro = Log in with the e-mail address and password your administrator gave you.
login-email = E-mail address
login-password = Password
login-language = Language
login-language-saved = As last time
login-submit = Log in
login-logged-out = You are logged out.
login-error-email-missing = Enter your e-mail address.
login-error-password-missing = Enter your password.

## Errors
form-has-errors = Please correct the following:
error-bad-credentials = The e-mail address or password is not correct.
error-login-expired = The login form had expired. Please try again.
error-csrf = This form had expired or did not come from Harbour. Go back, reload the page and try again.
error-forbidden = Your role does not allow this.
error-not-found-title = Not found
error-not-found = There is no such page, or you are not entitled to see it.
error-conflict = Someone changed this case at the same time. Reload the page and try again.
error-illegal-transition = This cannot be done while the case has its current status.
error-consent-required = An adult can be referred only with their informed consent. Without consent, the person can only be counted anonymously.
error-recovery-not-over = The conclusive decision cannot be made before the recovery period ends on { $date }, unless the person asks for an early decision.
error-internal = Something went wrong in Harbour. Nothing was saved. Please try again.

## Home
home-queue-title = Decisions awaited
home-queue-intro = Cases waiting for a reasonable-grounds or conclusive-grounds decision: overdue first, then the oldest.
home-queue-count = { $count ->
    [0] No case is waiting
    [one] One case is waiting
   *[other] { $count } cases are waiting
}
home-more = There are more: open the case list.
home-caseload-title = My cases
home-caseload-intro = Cases your organisation works on. Those with alerts come first.
home-needs-attention = Needing attention
home-other-cases = Other cases
home-responder-title = Referrals
home-responder-intro = Refer a person you believe may be a victim of trafficking. A child, or someone who may be a child, is protected as a child.
home-recent-referrals = Recent referrals
home-admin-title = Administration
home-admin-intro = Administrators manage organisations and users and cannot read cases.
home-auditor-title = Audit
home-auditor-intro = Auditors read who opened each case, and cannot read cases.
home-other-title = Welcome
home-other-intro = Your role has no case pages. Statistics are not yet available here.

## Case lists
cases-title = Cases
cases-none = No cases.
cases-next = Next page
cases-referred-on = referred { $date }
filter-status = Status
filter-minority = Child or adult
filter-overdue = Only overdue
filter-any = Any
filter-apply = Show

## Status, minority, alerts
status-awaiting_reasonable_grounds = Awaiting reasonable-grounds decision
status-recovery_period = Recovery period
status-awaiting_conclusive_grounds = Awaiting conclusive-grounds decision
status-identified = Identified as a victim
status-not_identified = Not identified
status-disqualified = Protection withdrawn
status-closed = Closed
minority-child = Child
minority-adult = Adult
minority-presumed_child = Presumed child
minority-presumed-note = Age is uncertain: the person is treated as a child until an age assessment.
minority-child-note = Every child safeguard applies.
alert-guardian_missing = No guardian appointed
alert-age_assessment_pending = Age assessment pending
alert-reasonable_grounds_overdue = Reasonable-grounds decision overdue
alert-recovery_period_ending = Recovery period ending soon
alert-conclusive_grounds_due = Conclusive-grounds decision due
alert-move_on_period_ending = Move-on period ending soon

## Case page
case-title = Case { $reference }
person-title = Person
person-name = Name
person-sex = Sex
person-birth = Date of birth or age
person-nationality = Nationality
person-stateless = Stateless
person-languages = Language
person-unaccompanied = Unaccompanied
case-exploitation = Forms of exploitation
case-referred = Referred
case-consent = Consent to referral
case-status = Status and deadlines
case-summary = What happened
alerts-title = Alerts
deadlines-title = Deadlines
due-on = due { $date }
due-today = due today
days-left = { $days ->
    [one] { $days } day left
   *[other] { $days } days left
}
days-overdue = { $days ->
    [one] overdue by { $days } day
   *[other] overdue by { $days } days
}
hours-left = { $hours ->
    [one] { $hours } hour left
   *[other] { $hours } hours left
}
hours-overdue = { $hours ->
    [one] overdue by { $hours } hour
   *[other] overdue by { $hours } hours
}
deadline-rg = Reasonable-grounds decision
deadline-recovery-end = Recovery period ends
deadline-move-on-end = Move-on support ends
deadline-guardian = Guardian to be appointed
birth-year = born in { $year }
birth-estimated = estimated age { $min }–{ $max } (on { $on })
birth-unknown = unknown
safeguards-title = Child safeguards
safeguard-guardian = Guardian
safeguard-guardian-appointed = Appointed
safeguard-guardian-missing = Not appointed — due by { $due }
safeguard-age = Age assessment
safeguard-age-pending = Pending: treat as a child until then
safeguard-unaccompanied = Unaccompanied
safeguard-consent = Consent
safeguard-consent-text = A child needs no consent to be referred and protected.
safeguard-views = The child's views
timeline-title = Timeline
timeline-reasons = Reasons: { $reasons }
timeline-method = Method: { $method }
timeline-forms = Forms of exploitation: { $forms }
timeline-recovery-period = Recovery period from { $start } to { $end }
screening-indicated = Trafficking indicated (an indication, not a decision)
screening-not-indicated = Trafficking not indicated by this screening

## Events
event-referral_received = Referral received
event-reasonable_grounds_decided = Reasonable-grounds decision
event-conclusive_grounds_decided = Conclusive-grounds decision
event-age_assessed = Age assessed
event-disqualified = Protection withdrawn
event-reconsideration_requested = Reconsideration requested
event-early_conclusive_decision_requested = Early conclusive decision requested
event-guardian_appointed = Guardian appointed
event-case_closed = Case closed
event-screening_recorded = Screening recorded
event-referral_attached = Another referral added

guardian-title = Appoint a guardian
guardian-select = Guardian
guardian-submit = Appoint this guardian
guardian-appointed = The guardian has been appointed.
guardian-none-available = No active guardian account exists. Ask an administrator to add one.
guardian-error = Choose an active guardian.

## Decisions
actions-title = Decisions
decide-rg-title = Reasonable-grounds decision
decide-rg-hint = Are there reasonable grounds to believe this person is a victim of trafficking? A positive decision starts the recovery period.
decide-cg-title = Conclusive-grounds decision
decide-cg-hint = On the balance of probabilities, is this person a victim of trafficking?
decide-age-title = Age assessment
decide-age-hint = Record the result of an age assessment. Until then the person is treated as a child.
decide-outcome = Decision
decide-method = How was age assessed?
decide-reasons = Reasons
decide-reasons-hint = Required. The reasons are kept in the case file and may be read by the person and their representative.
decide-submit = Record the decision
decide-error-outcome = Choose the decision.
decide-error-reasons = Write the reasons for the decision.
decide-error-method = Say how age was assessed.
decision-recorded = The decision has been recorded.
outcome-positive = Positive
outcome-negative = Negative
outcome-child = A child (under 18)
outcome-adult = An adult
decide-dq-title = Disqualification
decide-dq-hint = Withdraws protection on grounds of public order, or because victim status was claimed improperly (Convention Art. 13(3)). The reasons are recorded.
outcome-public-order = Public order
outcome-bad-faith = Bad faith: victim status claimed improperly

## New referral
referral-title = New referral
step-of = Step { $n } of 4
step-person = The person
step-screen = Screening
step-consent = Consent and circumstances
step-review = Check and refer
person-names-hint = Write names exactly as the person or their document writes them, in any alphabet.
person-given = Given name
person-family = Family name
person-patronymic = Patronymic (if any)
person-birth-hint = If you are not sure the person is an adult, choose "age uncertain": Harbour then protects the person as a child until an age assessment.
person-birth-uncertain = Age uncertain: give an estimate
person-age-min = Youngest possible age
person-age-max = Oldest possible age
person-birth-date = Date of birth known
person-birth-date-field = Date of birth
person-birth-year = Only the year of birth known
person-birth-year-field = Year of birth
person-birth-unknown = Nothing known about the age
person-nationality-hint = Two-letter country code, for example UA, MD, PL.
person-language-hint = Two-letter language code the person understands, for example uk, ru, en.
person-separated = Separated from parents or usual carers
person-error-name = Give a given name or a family name.
person-error-date = Give the date of birth as a real date.
person-error-year = Give a year of birth between 1900 and this year.
person-error-age = Give the youngest and oldest possible age as numbers from 0 to 120, the youngest first.
person-error-birth = Check the date of birth or age: it cannot be in the future.
person-error-nationality = Use a two-letter country code such as UA.
person-error-language = Use a two- or three-letter language code such as uk.
screen-as = Screening as: { $minority }
screen-quick-title = Quick screen
screen-quick-hint = Tick every red flag you noticed. Then check the result, or go on without screening.
screen-quick-check = Check the red flags
screen-use-full = Use the full indicator screening instead
screen-use-quick = Use the quick screen instead
screen-list = Indicator list
screen-show-list = Show this list
screen-evaluate = Evaluate the indicators
screen-result = Result
screen-recorded = This screening will be recorded in the case.
screen-error = The screening could not be evaluated: choose the list again.
consent-child-note = A child, or a person who may be a child, needs no consent to be referred. Record the child's own views.
consent-child-views = The child's views
consent-child-views-hint = What the child says they want, in their words.
consent-given = The person was informed and consents to this referral
consent-hint = Without consent an adult cannot be referred.
consent-informed-in = Language in which the person was informed (code, for example uk)
consent-error-text = This text is too long.
review-minority = Treated as
referral-submit = Refer
referral-created = The referral has been made and the case opened.
referral-attached = The referral has been added to the existing case.
duplicate-title = This person may already have a case
duplicate-intro = A case you can see has the same name and a compatible age. If it is the same person, add this referral to that case, so they are not asked everything again.
duplicate-attach = Add to this case
duplicate-confirm = It is someone else: open a new case

## Roles
role-first_responder = First responder
role-decision_maker = Decision maker
role-case_worker = Case worker
role-child_protection_officer = Child protection officer
role-guardian = Guardian
role-service_provider = Service provider
role-law_enforcement = Law enforcement
role-coordinator = National coordinator
role-auditor = Auditor
role-admin = Administrator

## Organisation kinds
org-kind-police = Police
org-kind-border_guard = Border guard
org-kind-labour_inspectorate = Labour inspectorate
org-kind-ngo = NGO
org-kind-shelter = Shelter
org-kind-child_protection = Child protection
org-kind-competent_authority = Competent authority
org-kind-guardianship_authority = Guardianship authority
org-kind-health = Health
org-kind-legal_aid = Legal aid
org-kind-prosecutor = Prosecutor
org-kind-reception_centre = Reception centre
org-kind-national_coordinator = National coordinator
org-kind-other = Other

## Forms of exploitation
form-sexual = Sexual exploitation
form-forced_labour = Forced labour
form-domestic_servitude = Domestic servitude
form-forced_begging = Forced begging
form-forced_criminality = Forced criminality
form-organ_removal = Organ removal
form-forced_marriage = Forced marriage
form-illegal_adoption = Illegal adoption
form-surrogacy_exploitation = Exploitation of surrogacy
form-armed_recruitment = Recruitment into armed groups
form-online_sexual_exploitation = Online sexual exploitation
form-other = Other
form-unknown = Not yet known

## Sex
sex-female = Female
sex-male = Male
sex-other = Other
sex-unknown = Not known

## Months (day month year)
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
month-nom-1 = January
month-nom-2 = February
month-nom-3 = March
month-nom-4 = April
month-nom-5 = May
month-nom-6 = June
month-nom-7 = July
month-nom-8 = August
month-nom-9 = September
month-nom-10 = October
month-nom-11 = November
month-nom-12 = December

## Administration and audit
nav-admin = Administration
nav-audit = Access log
admin-title = Organisations and users
admin-added = Added.
admin-organisations = Organisations
admin-users = Users
admin-add-org = Add an organisation
admin-add-user = Add a user
admin-org-name = Name of the organisation
admin-org-kind = Kind of organisation
admin-user-org = Organisation
admin-user-role = Role
admin-user-password = First password
admin-password-hint = At least 12 characters. Give it to the person in a safe way.
admin-inactive = inactive
admin-user-count = { $count ->
    [one] { $count } user
   *[other] { $count } users
}
admin-error-name = Give a name of 1 to 200 characters.
admin-error-kind = Choose the kind of organisation.
admin-error-email = Give a valid e-mail address.
admin-error-password = The password needs at least 12 characters.
admin-error-role = Choose a role that fits the organisation: decision makers belong to the competent authority.
admin-error-org = Choose an organisation.
admin-error-exists = A user with this e-mail address already exists.
audit-title = Access log of a case
audit-intro = Who opened or changed a case, when, and why. You see the log, never the case itself.
audit-case-id = Case number (the full identifier)
audit-show = Show the log
audit-count = { $count ->
    [one] { $count } entry
   *[other] { $count } entries
}
audit-purpose = Purpose: { $purpose }

## Closure
closure-title = Close the case
closure-open = Close this case…
closure-reason = Why is the case closed?
closure-notes = Notes (optional)
closure-submit = Close the case
closure-done = The case has been closed.
closure-error-reason = Choose why the case is closed.
closure-support_completed = Support completed
closure-person_withdrew = The person withdrew
closure-left_country = The person left the country
closure-lost_contact = Contact lost
closure-transferred = Transferred elsewhere
closure-duplicate = Duplicate of another case
closure-deceased = The person died
closure-other = Other reason

## Requests
requests-title = Requests for the person
request-reconsideration-title = Ask for the negative decision to be reconsidered
request-reconsideration-hint = For example when new information has come to light. The decision maker will see the request.
request-early-title = The person asks for the conclusive decision now
request-early-hint = The person may ask for the conclusive decision before the recovery period ends.
request-submit = Record the request
request-recorded = The request has been recorded.

## Anonymous notification
notify-title = Count without identifying
notify-intro = An adult who does not consent to a referral can still be counted, so that trafficking is seen in the statistics. Nothing here identifies the person, and no case is opened.
notify-link = Count the person anonymously instead.
notify-age = Age group
notify-age-unknown = Not known
notify-child-hint = A child, or someone who may be a child, is always referred: use "New referral".
notify-region = Region (optional)
notify-submit = Count anonymously
notify-done = Counted. Nothing identifying was recorded.
notify-error-age = A child is referred, not counted: use "New referral".
notify-error-region = A region name has 1 to 100 characters.

## Data protection (erasure, database availability)
error-erased = This case was erased: its content can no longer be read. The record that it existed and was erased is kept.
error-unavailable = The database cannot be reached just now. Nothing was changed; try again in a moment.
## Support, rights and justice (issue 5)
right-information = Information on rights, in a language understood
right-interpretation = Translation and interpretation
right-accommodation = Safe accommodation and material assistance
right-psychological_assistance = Psychological assistance
right-medical_treatment = Emergency and necessary medical treatment
right-legal_assistance = Legal counselling, assistance and free legal aid
right-recovery_period = Recovery and reflection period
right-residence_permit = Renewable residence permit
right-compensation = Compensation
right-non_punishment = Non-punishment
right-privacy = Privacy and protection of identity
right-protection_from_intimidation = Protection from intimidation
right-labour_market_education = Labour market, vocational training and education
right-education_child = Education for the child
right-safe_return = Safe, preferably voluntary return
right-assistance_unconditional = Assistance not conditional on cooperation
right-informed_consent = Informed consent to services
right-guardian = A guardian without delay
right-best_interests_assessment = Best-interests assessment
right-status-not_yet_informed = Not yet informed
right-status-informed = Informed
right-status-requested = Requested
right-status-granted = Granted
right-status-refused = Refused
right-status-waived = Waived by the person
right-status-not_applicable = Not applicable
service-kind-accommodation = Safe accommodation
service-kind-emergency_medical = Emergency medical care
service-kind-psychological = Psychological support
service-kind-legal_counselling = Legal counselling
service-kind-legal_aid = Legal aid
service-kind-interpretation = Interpretation
service-kind-material_assistance = Material assistance
service-kind-education = Education
service-kind-vocational_training = Vocational training
service-kind-employment = Employment
service-kind-family_tracing = Family tracing
service-kind-return_reintegration = Return and reintegration assistance
service-kind-child_care = Child-specific care
referral-status-referred = Referred, waiting for the provider
referral-status-accepted = Accepted
referral-status-declined = Declined
referral-status-started = Started
referral-status-completed = Completed
referral-status-withdrawn = Withdrawn
cooperation-cooperating = Cooperates with the authorities
cooperation-declined = Declined to cooperate
cooperation-undecided = Not decided yet
solution-integration = Integration
solution-return = Voluntary return
solution-resettlement = Resettlement
bi-kind-assessment = Best-interests assessment
bi-kind-determination = Best-interests determination
handover-kind-assign = Assigned within the organisation
handover-kind-transfer = Transfer to another organisation
handover-kind-refer = Shared with another organisation
closure-integrated = Integrated
closure-returned = Returned
closure-transferred_abroad = Transferred abroad
closure-declined_further_support = Declined further support
closure-not_identified = Not identified
event-right_recorded = Right recorded
event-needs_assessed = Needs assessed
event-service_referred = Referred to a service
event-service_referral_updated = Service referral updated
event-guardian_named = Guardian appointed
event-best_interests_recorded = Best interests recorded
event-family_tracing_requested = Family tracing
event-transition_plan_recorded = Transition-to-adulthood plan
event-justice_recorded = Justice and redress recorded
event-durable_solution_chosen = Durable solution decided
event-follow_up_recorded = Follow-up contact
event-handover_recorded = Case handover
event-transfer_answered = Transfer answered
## Family tracing (tracing requests, candidates, consent)
event-family_tracing_consent_recorded = Consent to family tracing recorded
tracing-consent-given = The person agrees to family tracing.
tracing-consent-withdrawn = The person does not agree to family tracing.
nav-tracing = Family tracing
tracing-title = Family tracing
tracing-intro = A relative looking for a missing person, usually a child, files a tracing request through your organisation. Harbour searches the cases it may search and lists candidates for a child-protection officer to verify.
tracing-list-title = Your organisation's requests
tracing-none = No tracing requests yet.
tracing-new-title = New tracing request
tracing-new-intro = Write the names as the family writes them, in any script; nicknames and the other spelling help. Nothing here is shown to other organisations except that a request exists.
tracing-sought = Who is sought
tracing-names-hint = At least a given name or a family name, in any script (for example Сашко).
tracing-given2 = Another spelling: given name
tracing-family2 = Another spelling: family name
tracing-birth-year = Year of birth, if known
tracing-age = Or: age now, about
tracing-age-hint = In years. Leave empty if the year of birth is known.
tracing-place = Place of birth or where last seen
tracing-mother = Mother's name
tracing-father = Father's name
tracing-requester = Who asks
tracing-relationship = Relationship to the person sought
tracing-requester-name = Requester's name (optional)
tracing-contact = How your organisation reaches the requester
tracing-contact-hint = Shown only to your organisation.
tracing-basis = Legal basis for the search
tracing-basis-hint = A child is searched under the child-protection mandate, without waiting for consent.
tracing-notes = Notes (optional)
tracing-submit = File the request
tracing-filed = The request has been filed and is being searched.
tracing-withdrawn = The request has been withdrawn and is no longer searched.
tracing-filed-on = Filed on { $date }
tracing-request-title = Tracing request
tracing-birth = Birth
tracing-candidates-title = Possible matches
tracing-no-candidates = No possible match at the moment.
tracing-verify-hint = These are candidates, not matches: verify with the family and the child before anything is disclosed.
tracing-withdraw-title = Withdraw the request
tracing-withdraw-hint = When the requester withdraws the request or their consent. It stops being searched at once.
tracing-withdraw-submit = Withdraw
tracing-case-title = Tracing requests that may concern this person
tracing-case-basis-mandate = Searched under the child-protection mandate.
tracing-case-basis-consent = Searched with the person's consent to family tracing.
tracing-case-not-searched = Not searched: the person has not consented to family tracing.
tracing-request-by = Request filed by { $org }
tracing-probability = Match { $percent } %
tracing-field-given-name = Given name
tracing-field-surname = Family name
tracing-field-birth = Birth
tracing-field-sex = Sex
tracing-field-place = Place
tracing-field-parents = Parents' names
tracing-level-same = the same
tracing-level-lexicon = the same name in another form (diminutive, Russian or Ukrainian form)
tracing-level-sex-form = the same family name in its other sex form
tracing-level-similar = very similar spelling
tracing-level-somewhat = somewhat similar spelling
tracing-level-exact = exactly the same
tracing-level-typo = one digit off, or day and month swapped
tracing-level-year-month = year and month agree
tracing-level-year = year agrees
tracing-level-estimate = within a year, or within the age estimate
tracing-level-different = different
tracing-basis-consent-of-requester = Consent of the requester
tracing-basis-child-protection-mandate = Child-protection mandate (a child is sought)
tracing-basis-court-order = Court order
tracing-status-open = Open
tracing-status-matched = Matched
tracing-status-closed = Closed
tracing-status-withdrawn = Withdrawn
tracing-relationship-mother = Mother
tracing-relationship-father = Father
tracing-relationship-grandparent = Grandparent
tracing-relationship-sibling = Brother or sister
tracing-relationship-other-relative = Other relative
tracing-relationship-legal-guardian = Legal guardian
tracing-error-year = Give a year of birth such as 2015.
tracing-error-age = Give an age in years, such as 9.
tracing-error-relationship = Choose the requester's relationship to the person sought.
tracing-error-basis = Choose the legal basis for the search.
tracing-error-names = Give at least a given name or a family name of the person sought.
tracing-error-birth = The birth cannot be in the future.
tracing-error-mandate = The child-protection mandate covers only a child; for an adult choose consent or a court order.
tracing-error-contact = Say how your organisation reaches the requester.
tracing-error-text = A text is blank or too long; check the fields.
tracing-filed-label = Filed
tracing-consent-label = The person also agrees to family tracing
tracing-consent-hint = Relatives looking for the person may then be told that a match exists. Without this, an adult's case is never searched for family tracing.
nav-service-referrals = Service referrals
support-recorded = Recorded.
support-not-recorded = Not recorded yet
support-error-reason = A refused right needs the reason it was refused.
support-error-child-views = Record the child's own views.
support-error-invalid = Some answers are missing or not valid; check the form.
support-rights-title = Rights, services and justice
support-rights-overdue = { $count ->
    [one] One right is due and not met
   *[other] { $count } rights are due and not met
}
support-right-open = Record a right's status
support-right = Right
support-status = Status
support-reason = Reason (needed when refused)
support-reason-hint = Who refused it and why, as written in the decision.
support-right-submit = Record
support-services-title = Needs and services
support-no-needs = No needs assessment yet.
support-needs = Needs
support-referred-on = referred { $date }
support-accepted-on = accepted { $date }
support-best-interests-title = Best interests of the child
support-best-interests-open = Record an assessment or determination
support-bi-kind = Kind
support-bi-conclusion = Conclusion
support-bi-submit = Record
support-justice-title = Justice and redress
support-cooperation = Cooperation with the authorities
support-durable-solution = Durable solution
support-unconditional = Support never depends on cooperation (Convention Art. 12(6)).
support-cooperation-submit = Record the person's choice
provider-inbox-title = Service referrals
provider-inbox-intro = Referrals to your organisation's services. You see what each service needs, not the case file.
provider-inbox-empty = No referrals yet.
provider-referral-title = Service referral { $reference }
provider-need-to-know = Only what this service needs is shown.
provider-need = Need
provider-minority = Age group
provider-languages = Languages
provider-consent = Consent to this service
provider-referred = Referred
provider-need-notes = In the person's words
provider-priority = Priority for the person
provider-accepted = Accepted
provider-decline-reason = Reason for declining
provider-steps-title = Your answer
provider-step-accept = Accept
provider-step-start = Start the service
provider-step-complete = Complete the service
provider-step-decline = Decline
provider-step-done = Done.
provider-error-reason = Say why the referral is declined.
support-error-consent = A service needs the person's informed consent (for a child, the guardian's consent and the child's views).
support-error-needs = Choose at least one need.
support-needs-open = Record the needs assessment
support-priorities = What matters most to the person, in their words
support-needs-submit = Record the needs
support-offer = { $kind }: { $name } ({ $free } free)
support-offer-label = Services that fit, best first
support-informed-consent = The person was informed and consents to this service
support-guardian-consent = The guardian consents to this service
support-refer-submit = Refer to this service
error-service-unsuitable = This service cannot take the referral: it is full, or it does not fit the person or the need.
error-best-interests-determination = A child's durable solution needs a best-interests determination first (for a return, one in favour of return).
error-open-service-referrals = { $count ->
    [one] One accepted service referral is still open: say whether it continues after closure or is withdrawn.
   *[other] { $count } accepted service referrals are still open: say whether they continue after closure or are withdrawn.
}
closure-open-referrals = Accepted service referrals still open (if any)
closure-open-referrals-continue = Support continues with the provider after closure
closure-open-referrals-withdraw = Withdraw them with the closure
## Security: second factor, login throttling, break-glass (secauth)
error-login-throttled = Too many failed attempts for this account or from this place. Wait a few minutes, then try again.
mfa-title = Enter your code
mfa-intro = Open the authenticator app on your phone and enter the 6-digit code it shows for Harbour. If you have lost your phone, enter one of your recovery codes.
mfa-enrol-title = Set up your authenticator
mfa-enrol-intro = Your account signs in with a second step. Scan this QR code with an authenticator app (for example FreeOTP, Aegis or Google Authenticator), then enter the 6-digit code it shows.
mfa-enrol-manual = Cannot scan? Type this key into the app:
mfa-qr-label = QR code to add Harbour to your authenticator app
mfa-code = Code
mfa-code-hint = 6 digits from the app, or a recovery code such as abcde-fghij.
mfa-code-hint-enrol = The 6 digits the app shows now.
mfa-submit = Continue
mfa-error-code-missing = Enter the code from your authenticator app.
mfa-error-code-wrong = This code is not correct or was already used. Wait for the next code and try again.
mfa-recovery-title = Your recovery codes
mfa-recovery-intro = Keep these codes somewhere safe, away from your phone. Each one lets you sign in once if you lose your phone. They are shown only now.
mfa-recovery-continue = I have saved them: continue
break-glass-title = Emergency access
break-glass-intro = Your organisation is not involved in this case. In an emergency you may open it for a few hours. Your name, the time and your reason are recorded and reviewed by auditors.
break-glass-reason = Why do you need this case now?
break-glass-reason-hint = At least 10 characters. Do not write the person's name.
break-glass-submit = Open the case in an emergency
break-glass-error-reason = Say why you need this case now, in at least 10 characters (at most 500).
break-glass-offer = If this is an emergency and the case exists, you may ask for emergency access.
break-glass-link = Emergency access
audit-break-glass-title = Emergency access (last 30 days)
audit-break-glass-intro = Each time someone opened a case their organisation is not involved in, with their reason. Review each one.
audit-break-glass-none = Nobody used emergency access in the last 30 days.
audit-break-glass-until = until { $until }
audit-break-glass-reason = Reason: { $reason }
# ----- statistics (issue 7) -----
nav-statistics = Statistics
stats-title = Statistics
stats-note = Counted from the case journals. No figure below { $k } is shown ([x] = suppressed, also where a total would reveal a hidden figure); every figure is rounded down to a multiple of { $resolution }. Data as of { $asof }.
stats-headline = Headline figures
stats-referrals = Referrals
stats-children = Children at the time of exploitation
stats-rg-positive = Positive reasonable-grounds decisions
stats-cg-positive = Positive conclusive-grounds decisions
stats-notifications = Anonymous notifications
stats-chart-title = Referrals by quarter
stats-chart-desc = Bar chart of referrals per quarter; a dashed box marked x is a suppressed quarter.
stats-chart-legend = A dashed box marked x: too few referrals to publish.
stats-suppressed = suppressed
stats-not-applicable = n/a
stats-not-applicable-note = n/a = not applicable: the combination cannot occur (for example an outcome before a decision, or lateness of a right without a deadline), so it is zero by definition and never hidden.
stats-late-title = Late now (counts only)
stats-total = Total
stats-count = Count
stats-median = Median
stats-p90 = 90th percentile
stats-within-target = Within target
stats-measure = Measure
stats-table-quarter = Referrals by quarter and age at exploitation
stats-table-form = Referrals by form of exploitation and age at exploitation
stats-table-referrer = Referrals by kind of first responder
stats-table-rg = Reasonable-grounds decisions by quarter and outcome
stats-table-cg = Conclusive-grounds decisions by quarter and outcome
stats-table-notifications = Anonymous notifications by quarter
stats-table-timeliness = Time from referral to decision, and to a child's guardian
stats-age-adult = Adult (18+)
stats-age-child = Child (17 or under)
stats-age-unknown = Not specified
stats-outcome-positive = Positive
stats-outcome-negative = Negative
stats-outcome-none = Not decided yet
stats-dim-quarter = Quarter of referral
stats-dim-exploitation_form = Form of exploitation
stats-dim-referrer_kind = First responder
stats-dim-reasonable_grounds_quarter = Quarter of decision
stats-dim-conclusive_grounds_quarter = Quarter of decision
stats-unit-days = days
stats-unit-hours = hours
stats-measure-reasonable_grounds = Reasonable-grounds decision
stats-measure-conclusive_grounds = Conclusive-grounds decision
stats-measure-guardian_appointment = Guardian appointed
stats-late-reasonable_grounds_overdue = Reasonable-grounds decisions overdue
stats-late-awaiting_conclusive_grounds = Awaiting a conclusive decision
stats-late-guardian_not_appointed = Children without a guardian past the deadline
stats-late-guardian_appointed_late = Guardians appointed late

# Second factor: administrator reset and new recovery codes (issue 6)
nav-recovery-codes = Recovery codes
admin-second-factor-reset = Reset second factor
admin-second-factor-reset-for = Reset second factor: { $email }
admin-second-factor-reset-hint = Reset a second factor only after you have confirmed who is asking, in person or by calling a number you already know, and that their authenticator is lost. Their sessions end and they set up a new authenticator at their next login. The reset is recorded in the access log.
admin-second-factor-reset-done = The second factor was reset. The user sets up a new authenticator at their next login.
account-recovery-title = New recovery codes
account-recovery-intro = { $count ->
    [one] You have { $count } unused recovery code.
   *[other] You have { $count } unused recovery codes.
} To get ten new ones, confirm it is you with your password and the code your authenticator app shows now. All earlier codes stop working.
account-recovery-submit = Make new recovery codes
account-recovery-error-password = Enter your current password.
account-recovery-key-title = Confirm with your security key
account-recovery-key-submit = Use security key and make new codes
account-recovery-or-code = Or confirm with a code from your authenticator app
account-recovery-key-needs-javascript = Confirming with a security key needs JavaScript, which is off in this browser.
account-recovery-key-required = Your organisation requires you to confirm with your security key: codes are not accepted for your account.
account-recovery-error-key = The security key was not accepted. Enter your password and try again.

# An erased case's page (issue 6)
case-erased-title = This case was erased
case-erased-reference = Case
case-erased-when = Erased on
case-erased-why = Why
case-erased-basis-person-request = At the person's request, decided by the competent authority
case-erased-basis-retention = The retention period of the national policy ended
case-erased-what = Everything about the person was erased: names, dates of birth, contact details, the account of what happened, decisions' reasons, notes and screenings. Its key was destroyed, so no one can read it again, not even an administrator.
case-erased-kept = What remains: this reference, the dates and kinds of the case's steps (so the record can still be checked for tampering), and anonymous counts in the statistics.
# Late rights in lists, the rest of justice and redress, child safeguards, follow-ups, handovers
filter-rights-overdue = Only with rights overdue
cases-rights-overdue = { $count ->
    [one] 1 right overdue
   *[other] { $count } rights overdue
}
alert-rights_overdue = A right is due and not met
support-child-title = The child's guardian, family and coming of age
support-named-guardian = Guardian (person and organisation)
support-family-tracing = Family tracing
support-family-tracing-yes = Requested
support-family-tracing-no = Not requested
support-family-tracing-requested = Family tracing is requested
support-family-tracing-submit = Save family tracing
support-transition-plan = Plan into adulthood
support-transition-needed = The child has turned 18: a plan into adulthood is needed.
support-transition-hint = What continues after 18: accommodation, guardian's handover, education, residence.
support-transition-submit = Record the plan
support-name-guardian-open = Name the guardian (person and organisation)
support-guardian-name = Guardian's name
support-guardian-organisation = Guardian's organisation
support-name-guardian-submit = Name the guardian
support-legal-representative = Legal representative
support-proceeding = Proceedings
support-proceedings = Proceedings and their stage
support-proceeding-kind = Kind (criminal, civil, labour)
support-proceeding-stage = Stage (investigation, trial, appeal, closed)
support-protection-measures = Protection measures
support-one-per-line = One per line.
support-residence-permit = Residence permit
support-residence-permits = Residence permit applications
support-permit-basis = Basis
support-permit-outcome = Outcome (applied, granted, refused, renewed)
support-permit-applied-on = Applied on
support-compensation = Compensation
support-compensation-hint = Amounts in the currency's units, such as 1500 or 1500.50; the currency as a three-letter code (EUR, UAH).
support-compensation-from = Compensation from { $from }
support-compensation-who = From (perpetrator or state)
support-claimed = Claimed
support-awarded = Awarded
support-paid = Paid
support-currency = Currency
support-non-punishment = Non-punishment
support-np-requested = Requested
support-np-not_requested = Not requested
support-np-outcome = Outcome of the non-punishment request
support-justice-open = Record justice and redress
support-risk-assessment = Risk and security assessment
support-risk-hint = Needed for a return: the risks to the person and their family in the country of return.
support-solution-open = Decide a durable solution
support-solution-country = Country (two-letter code)
support-solution-country-hint = For a return or resettlement, such as UA or MD.
support-solution-submit = Record the durable solution
support-follow-ups-title = Follow-up contacts
support-follow-up-notes = What was discussed and agreed
support-follow-up-submit = Record the contact
support-handovers-title = Handovers
support-no-handovers = The case has not been handed over.
support-handover-open = Assign, transfer or refer the case
support-handover-kind = Kind of handover
support-handover-hint = Assign: to a colleague. Transfer: another organisation takes the case over once it accepts. Refer: another organisation shares the case for a purpose while you keep it.
support-handover-user = Colleague (for an assignment)
support-handover-org = Organisation (for a transfer or referral)
support-handover-purpose = Purpose
support-handover-consent = The person consents to the handover
support-handover-submit = Hand over
handover-status-offered = waiting for the organisation's answer
handover-status-accepted = accepted
handover-status-declined = declined
handover-status-done = done
support-error-risk-assessment = A return needs a recorded risk and security assessment.
support-error-country = Give the country as a two-letter code, such as UA.
support-error-handover-consent = An adult's case goes to another organisation only with their consent.
support-error-handover-to = Choose whom the case goes to: a colleague for an assignment, an organisation for a transfer or referral.
support-error-guardian = Give the guardian's name and organisation.
support-error-amount = An amount is not valid: write it like 1500 or 1500.50.
support-error-justice-item = A proceeding needs a kind and a stage; a residence permit a basis and an outcome.
support-error-text = Write something in the text field.
nav-transfers = Transfers
transfers-title = Transfers to your organisation
transfers-intro = Cases another organisation offers to transfer to yours. You see the case once you accept; declining leaves it with them.
transfers-empty = No transfer is waiting.
transfers-from = from { $org }
transfers-offered-on = offered { $date }
transfers-accept = Accept the case
transfers-decline = Decline
transfers-declined = Declined: the case stays with the organisation that offered it.
transfers-accepted = The case is now your organisation's.
stats-measure-service_acceptance = Service referral accepted
stats-rights-title = Access to rights
stats-rights-table = Rights of eligible persons: informed, granted, refused, waived and late
stats-rights-right = Right
stats-rights-eligible = Eligible persons
stats-rights-informed = Informed
stats-rights-granted = Granted
stats-rights-refused = Refused
stats-rights-waived = Waived
stats-rights-late = Late
stats-rights-granted-share = Granted (share of eligible)
stats-rights-late-share = Late (share of eligible)
stats-rights-all = All rights (person and right pairs)
stats-rights-chart-title = Eligible persons granted each right
stats-rights-chart-desc = Horizontal bar chart of eligible persons granted each right; a dashed box marked x is a suppressed figure.
stats-rights-chart-legend = A dashed box marked x: too few persons to publish.
stats-rights-late-title = Rights late as at { $day } (counts only)
stats-redress-title = Compensation and cooperation
stats-redress-claimed = Compensation claimed
stats-redress-awarded = Compensation awarded
stats-redress-paid = Compensation paid
stats-redress-declined = Cooperation with the authorities declined
stats-redress-continuing = Declined cooperation and support continued
stats-redress-amount = { $stage }: sum in { $currency }
stats-redress-amounts-suppressed = Sums of compensation are not shown: too few cases to publish them.

# A user's own account: sessions and security notices (issue 6: ASVS 7.5.2, 6.3.7, 6.3.5)
nav-account = Your account
account-title = Your account
error-title = Something went wrong
sessions-title = Your sessions
sessions-intro = These are the places where you are signed in to Harbour now. If you do not recognise one, end it, and tell your administrator.
sessions-kind-web = Browser
sessions-kind-api = Program (API)
sessions-current = this browser
sessions-started = Signed in
sessions-last-used = Last used
sessions-ends = Ends if not used again by
sessions-end = End this session
sessions-end-current = Sign out here
sessions-end-others = End all other sessions
notices-title = Security notices
notices-intro = Harbour tells you here when your sign-in was changed or someone failed to sign in to your account.
notices-none = There are no security notices for your account.
notices-new = new
notices-banner-title = Security notice about your account
notices-acknowledge = I have read this
notices-all = All security notices
notice-second-factor-reset = An administrator reset your second factor, and you set up a new authenticator. If you did not ask for this, tell your administrator now.
notice-recovery-codes-renewed = Your recovery codes were renewed: the earlier codes no longer work, and your other sessions were ended. If this was not you, tell your administrator now.
notice-failed-sign-ins = { $count ->
    [one] There was { $count } failed attempt to sign in to your account before your last sign-in.
   *[other] There were { $count } failed attempts to sign in to your account before your last sign-in.
} If they were not yours, tell your administrator.

## Security keys (WebAuthn)
keys-title = Security keys
keys-intro = A security key (a FIDO2 key or a passkey) signs you in with a touch and cannot be fooled by a look-alike website. You can use it instead of a code from your authenticator app.
keys-none = You have no security key yet.
keys-list-caption = Your security keys
keys-name = Name of the key
keys-name-hint = A name to tell your keys apart, for example "blue key".
keys-added = Added
keys-last-used = Last used
keys-never-used = Never
keys-remove = Remove
keys-add-title = Add a security key
keys-add = Add a security key
keys-needs-javascript = Adding or using a security key needs JavaScript, which is off in this browser. Codes from your authenticator app still work.
keys-unsupported = This browser cannot use security keys. Codes from your authenticator app still work.
keys-failed = The security key did not answer, or you cancelled. Try again.
keys-unavailable = Security keys are not set up on this server. Ask your administrator.
keys-required = Your organisation requires a security key to read cases. Add one now: until then, case files stay closed to you.
keys-error-name = Give the key a name.
keys-error-rejected = The security key's answer was not accepted. Try adding it again.
keys-error-duplicate = This security key is already registered.
keys-error-last = This is your last security key, and your organisation requires one. Add another key before removing this one.
keys-sign-in-title = Sign in with your security key
keys-sign-in = Use security key
keys-sign-in-needs-javascript = Signing in with a security key needs JavaScript, which is off in this browser. Enter a code from your authenticator app below.
keys-or-code = Or enter a code
keys-error-sign-in = The security key was not accepted. Try again, or enter a code from your authenticator app.
notice-security-key-added = A security key was added to your account. If this was not you, tell your administrator now.
notice-security-key-removed = A security key was removed from your account. If this was not you, tell your administrator now.
keys-use-your-key = Your organisation requires you to sign in with your security key: codes are not accepted for your account.
