# Сторінки Harbour — українська. Кожен ключ має бути також у en і ru (це перевіряє тест).

## Каркас
skip-to-content = Перейти до змісту
nav-label = Головне меню
nav-home = Головна
nav-cases = Справи
nav-new-referral = Нове направлення
lang-switch = Мова
logout = Вийти
footer-text = Harbour — Національний механізм взаємодії. Кожне відкриття справи записується до журналу доступу.
yes = Так
no = Ні
continue = Далі
back = Назад
overdue = прострочено

## Вхід
login-title = Вхід
login-intro = Увійдіть за адресою електронної пошти та паролем, які вам надав адміністратор.
login-email = Адреса електронної пошти
login-password = Пароль
login-language = Мова
login-language-saved = Як минулого разу
login-submit = Увійти
login-logged-out = Ви вийшли із системи.
login-error-email-missing = Введіть адресу електронної пошти.
login-error-password-missing = Введіть пароль.

## Помилки
form-has-errors = Будь ласка, виправте таке:
error-bad-credentials = Адреса електронної пошти або пароль неправильні.
error-login-expired = Термін дії форми входу минув. Спробуйте ще раз.
error-csrf = Термін дії цієї форми минув, або її надіслано не з Harbour. Поверніться, оновіть сторінку й спробуйте ще раз.
error-forbidden = Ваша роль цього не дозволяє.
error-not-found-title = Не знайдено
error-not-found = Такої сторінки немає, або ви не маєте права її бачити.
error-conflict = Хтось змінив цю справу одночасно з вами. Оновіть сторінку й спробуйте ще раз.
error-illegal-transition = Цю дію не можна виконати за поточного статусу справи.
error-consent-required = Повнолітню особу можна направити лише за її поінформованою згодою. Без згоди особу можна лише анонімно врахувати.
error-recovery-not-over = Остаточне рішення не можна ухвалити до завершення періоду відновлення { $date }, якщо особа не просить про дострокове рішення.
error-internal = У Harbour сталася помилка. Нічого не збережено. Спробуйте ще раз.

## Головна
home-queue-title = Очікують рішення
home-queue-intro = Справи, що очікують рішення про наявність обґрунтованих підстав або остаточного рішення: спочатку прострочені, потім найдавніші.
home-queue-count = { $count ->
    [0] Жодна справа не очікує
    [one] Очікує { $count } справа
    [few] Очікують { $count } справи
   *[other] Очікують { $count } справ
}
home-more = Є ще справи: відкрийте список справ.
home-caseload-title = Мої справи
home-caseload-intro = Справи, з якими працює ваша організація. Справи зі сповіщеннями показано першими.
home-needs-attention = Потребують уваги
home-other-cases = Інші справи
home-responder-title = Направлення
home-responder-intro = Направте особу, яка, на вашу думку, може бути постраждалою від торгівлі людьми. Дитина або особа, яка може бути дитиною, захищена як дитина.
home-recent-referrals = Останні направлення
home-admin-title = Адміністрування
home-admin-intro = Адміністратори керують організаціями та користувачами і не можуть читати справи.
home-auditor-title = Аудит
home-auditor-intro = Аудитори бачать, хто відкривав кожну справу, але не можуть читати справи.
home-other-title = Вітаємо
home-other-intro = Для вашої ролі немає сторінок справ. Статистика тут поки недоступна.

## Списки справ
cases-title = Справи
cases-none = Справ немає.
cases-next = Наступна сторінка
cases-referred-on = направлено { $date }
filter-status = Статус
filter-minority = Дитина чи доросла особа
filter-overdue = Лише прострочені
filter-any = Будь-який
filter-apply = Показати

## Статус, неповнолітність, сповіщення
status-awaiting_reasonable_grounds = Очікує рішення про обґрунтовані підстави
status-recovery_period = Період відновлення
status-awaiting_conclusive_grounds = Очікує остаточного рішення
status-identified = Визнано постраждалою особою
status-not_identified = Не визнано постраждалою особою
status-disqualified = Захист припинено
status-closed = Закрито
minority-child = Дитина
minority-adult = Доросла особа
minority-presumed_child = Імовірно дитина
minority-presumed-note = Вік не встановлено: до оцінки віку особа вважається дитиною.
minority-child-note = Діють усі гарантії захисту дітей.
alert-guardian_missing = Опікуна не призначено
alert-age_assessment_pending = Очікується оцінка віку
alert-reasonable_grounds_overdue = Рішення про обґрунтовані підстави прострочено
alert-recovery_period_ending = Період відновлення скоро завершиться
alert-conclusive_grounds_due = Настав строк остаточного рішення
alert-move_on_period_ending = Період підтримки після визнання скоро завершиться

## Сторінка справи
case-title = Справа { $reference }
person-title = Особа
person-name = Ім'я
person-sex = Стать
person-birth = Дата народження або вік
person-nationality = Громадянство
person-stateless = Особа без громадянства
person-languages = Мова
person-unaccompanied = Без супроводу
case-exploitation = Форми експлуатації
case-referred = Направлено
case-consent = Згода на направлення
case-status = Статус і строки
case-summary = Що сталося
alerts-title = Сповіщення
deadlines-title = Строки
due-on = строк { $date }
due-today = строк сьогодні
days-left = { $days ->
    [one] залишився { $days } день
    [few] залишилося { $days } дні
   *[other] залишилося { $days } днів
}
days-overdue = { $days ->
    [one] прострочено на { $days } день
    [few] прострочено на { $days } дні
   *[other] прострочено на { $days } днів
}
hours-left = { $hours ->
    [one] залишилася { $hours } година
    [few] залишилося { $hours } години
   *[other] залишилося { $hours } годин
}
hours-overdue = { $hours ->
    [one] прострочено на { $hours } годину
    [few] прострочено на { $hours } години
   *[other] прострочено на { $hours } годин
}
deadline-rg = Рішення про обґрунтовані підстави
deadline-recovery-end = Період відновлення завершується
deadline-move-on-end = Підтримка після визнання завершується
deadline-guardian = Призначення опікуна
birth-year = { $year } року народження
birth-estimated = орієнтовний вік { $min }–{ $max } (станом на { $on })
birth-unknown = невідомо
safeguards-title = Гарантії захисту дитини
safeguard-guardian = Опікун
safeguard-guardian-appointed = Призначено
safeguard-guardian-missing = Не призначено — строк до { $due }
safeguard-age = Оцінка віку
safeguard-age-pending = Очікується: доти вважати дитиною
safeguard-unaccompanied = Без супроводу
safeguard-consent = Згода
safeguard-consent-text = Для направлення та захисту дитини згода не потрібна.
safeguard-views = Думка дитини
timeline-title = Хронологія
timeline-reasons = Підстави: { $reasons }
timeline-method = Спосіб: { $method }
timeline-forms = Форми експлуатації: { $forms }
timeline-recovery-period = Період відновлення з { $start } до { $end }
screening-indicated = Є ознаки торгівлі людьми (це ознака, а не рішення)
screening-not-indicated = Цей скринінг не виявив ознак торгівлі людьми

## Події
event-referral_received = Отримано направлення
event-reasonable_grounds_decided = Рішення про обґрунтовані підстави
event-conclusive_grounds_decided = Остаточне рішення
event-age_assessed = Проведено оцінку віку
event-disqualified = Захист припинено
event-reconsideration_requested = Подано запит на перегляд
event-early_conclusive_decision_requested = Подано запит на дострокове остаточне рішення
event-guardian_appointed = Призначено опікуна
event-case_closed = Справу закрито
event-screening_recorded = Записано скринінг
event-referral_attached = Додано ще одне направлення

guardian-title = Призначити опікуна
guardian-select = Опікун
guardian-submit = Призначити цього опікуна
guardian-appointed = Опікуна призначено.
guardian-none-available = Немає жодного активного облікового запису опікуна. Попросіть адміністратора додати його.
guardian-error = Оберіть активного опікуна.

## Рішення
actions-title = Рішення
decide-rg-title = Рішення про обґрунтовані підстави
decide-rg-hint = Чи є обґрунтовані підстави вважати цю особу постраждалою від торгівлі людьми? Позитивне рішення відкриває період відновлення.
decide-cg-title = Остаточне рішення
decide-cg-hint = Чи є ця особа, найімовірніше, постраждалою від торгівлі людьми?
decide-age-title = Оцінка віку
decide-age-hint = Запишіть результат оцінки віку. Доти особа вважається дитиною.
decide-outcome = Рішення
decide-method = Як оцінювали вік?
decide-reasons = Підстави
decide-reasons-hint = Обов'язково. Підстави зберігаються у справі; їх можуть прочитати сама особа та її представник.
decide-submit = Записати рішення
decide-error-outcome = Оберіть рішення.
decide-error-reasons = Напишіть підстави рішення.
decide-error-method = Укажіть, як оцінювали вік.
decision-recorded = Рішення записано.
outcome-positive = Позитивне
outcome-negative = Негативне
outcome-child = Дитина (до 18 років)
outcome-adult = Доросла особа
decide-dq-title = Позбавлення захисту (дискваліфікація)
decide-dq-hint = Припиняє захист з міркувань громадського порядку або через неправомірне заявлення статусу постраждалої особи (ст. 13(3) Конвенції). Підстави записуються.
outcome-public-order = Громадський порядок
outcome-bad-faith = Недобросовісність: статус постраждалої особи заявлено неправомірно

## Нове направлення
referral-title = Нове направлення
step-of = Крок { $n } з 4
step-person = Особа
step-screen = Скринінг
step-consent = Згода та обставини
step-review = Перевірка та направлення
person-names-hint = Пишіть імена точно так, як їх пише сама особа або її документ, будь-яким алфавітом.
person-given = Ім'я
person-family = Прізвище
person-patronymic = По батькові (якщо є)
person-birth-hint = Якщо ви не впевнені, що особа повнолітня, оберіть «вік не встановлено»: тоді Harbour захищає особу як дитину до оцінки віку.
person-birth-uncertain = Вік не встановлено: укажіть орієнтовний
person-age-min = Найменший можливий вік
person-age-max = Найбільший можливий вік
person-birth-date = Дата народження відома
person-birth-date-field = Дата народження
person-birth-year = Відомий лише рік народження
person-birth-year-field = Рік народження
person-birth-unknown = Про вік нічого не відомо
person-nationality-hint = Дволітерний код країни, наприклад UA, MD, PL.
person-language-hint = Дволітерний код мови, яку розуміє особа, наприклад uk, ru, en.
person-separated = Розлучена з батьками або звичними опікунами
person-error-name = Укажіть ім'я або прізвище.
person-error-date = Укажіть справжню дату народження.
person-error-year = Укажіть рік народження від 1900 до поточного.
person-error-age = Укажіть найменший і найбільший можливий вік числами від 0 до 120, спочатку найменший.
person-error-birth = Перевірте дату народження або вік: вони не можуть бути в майбутньому.
person-error-nationality = Укажіть дволітерний код країни, наприклад UA.
person-error-language = Укажіть дво- або трилітерний код мови, наприклад uk.
screen-as = Скринінг як для: { $minority }
screen-quick-title = Швидкий скринінг
screen-quick-hint = Позначте кожну тривожну ознаку, яку ви помітили. Потім перевірте результат або продовжуйте без скринінгу.
screen-quick-check = Перевірити тривожні ознаки
screen-use-full = Натомість провести повний скринінг за індикаторами
screen-use-quick = Натомість провести швидкий скринінг
screen-list = Перелік індикаторів
screen-show-list = Показати цей перелік
screen-evaluate = Оцінити індикатори
screen-result = Результат
screen-recorded = Цей скринінг буде записано у справі.
screen-error = Не вдалося оцінити скринінг: оберіть перелік ще раз.
consent-child-note = Для направлення дитини або особи, яка може бути дитиною, згода не потрібна. Запишіть думку самої дитини.
consent-child-views = Думка дитини
consent-child-views-hint = Чого хоче дитина, її власними словами.
consent-given = Особу поінформовано, і вона погоджується на це направлення
consent-hint = Без згоди повнолітню особу направити не можна.
consent-informed-in = Мова, якою особу поінформовано (код, наприклад uk)
consent-error-text = Цей текст задовгий.
review-minority = Вважається
referral-submit = Направити
referral-created = Направлення здійснено, справу відкрито.
referral-attached = Направлення додано до наявної справи.
duplicate-title = Можливо, ця особа вже має справу
duplicate-intro = Справа, яку ви бачите, має таке саме ім'я та сумісний вік. Якщо це та сама особа, додайте це направлення до тієї справи, щоб її не розпитували про все знову.
duplicate-attach = Додати до цієї справи
duplicate-confirm = Це інша особа: відкрити нову справу

## Ролі
role-first_responder = Перший контакт
role-decision_maker = Особа, що ухвалює рішення
role-case_worker = Фахівець із ведення випадку
role-child_protection_officer = Фахівець служби у справах дітей
role-guardian = Опікун
role-service_provider = Надавач послуг
role-law_enforcement = Правоохоронний орган
role-coordinator = Національний координатор
role-auditor = Аудитор
role-admin = Адміністратор

## Види організацій
org-kind-police = Поліція
org-kind-border_guard = Прикордонна служба
org-kind-labour_inspectorate = Інспекція праці
org-kind-ngo = Громадська організація
org-kind-shelter = Притулок
org-kind-child_protection = Служба у справах дітей
org-kind-competent_authority = Компетентний орган
org-kind-guardianship_authority = Орган опіки та піклування
org-kind-health = Заклад охорони здоров'я
org-kind-legal_aid = Правова допомога
org-kind-prosecutor = Прокуратура
org-kind-reception_centre = Центр прийому
org-kind-national_coordinator = Національний координатор
org-kind-other = Інше

## Форми експлуатації
form-sexual = Сексуальна експлуатація
form-forced_labour = Примусова праця
form-domestic_servitude = Домашнє рабство
form-forced_begging = Примусове жебрацтво
form-forced_criminality = Примушування до злочинної діяльності
form-organ_removal = Вилучення органів
form-forced_marriage = Примусовий шлюб
form-illegal_adoption = Незаконне усиновлення
form-surrogacy_exploitation = Експлуатація сурогатного материнства
form-armed_recruitment = Залучення до збройних формувань
form-online_sexual_exploitation = Сексуальна експлуатація в інтернеті
form-other = Інше
form-unknown = Поки невідомо

## Стать
sex-female = Жіноча
sex-male = Чоловіча
sex-other = Інша
sex-unknown = Невідомо

## Місяці (родовий відмінок у датах; називний окремо)
month-1 = січня
month-2 = лютого
month-3 = березня
month-4 = квітня
month-5 = травня
month-6 = червня
month-7 = липня
month-8 = серпня
month-9 = вересня
month-10 = жовтня
month-11 = листопада
month-12 = грудня
month-nom-1 = січень
month-nom-2 = лютий
month-nom-3 = березень
month-nom-4 = квітень
month-nom-5 = травень
month-nom-6 = червень
month-nom-7 = липень
month-nom-8 = серпень
month-nom-9 = вересень
month-nom-10 = жовтень
month-nom-11 = листопад
month-nom-12 = грудень

## Адміністрування та аудит
nav-admin = Адміністрування
nav-audit = Журнал доступу
admin-title = Організації та користувачі
admin-added = Додано.
admin-organisations = Організації
admin-users = Користувачі
admin-add-org = Додати організацію
admin-add-user = Додати користувача
admin-org-name = Назва організації
admin-org-kind = Вид організації
admin-user-org = Організація
admin-user-role = Роль
admin-user-password = Початковий пароль
admin-password-hint = Щонайменше 12 символів. Передайте його людині у безпечний спосіб.
admin-inactive = неактивний
admin-user-count = { $count ->
    [one] { $count } користувач
    [few] { $count } користувачі
   *[other] { $count } користувачів
}
admin-error-name = Укажіть назву від 1 до 200 символів.
admin-error-kind = Оберіть вид організації.
admin-error-email = Укажіть правильну адресу електронної пошти.
admin-error-password = Пароль має містити щонайменше 12 символів.
admin-error-role = Оберіть роль, що відповідає організації: особи, що ухвалюють рішення, належать до компетентного органу.
admin-error-org = Оберіть організацію.
admin-error-exists = Користувач із такою адресою електронної пошти вже існує.
audit-title = Журнал доступу до справи
audit-intro = Хто, коли й навіщо відкривав або змінював справу. Ви бачите журнал, але не саму справу.
audit-case-id = Номер справи (повний ідентифікатор)
audit-show = Показати журнал
audit-count = { $count ->
    [one] { $count } запис
    [few] { $count } записи
   *[other] { $count } записів
}
audit-purpose = Мета: { $purpose }

## Закриття
closure-title = Закрити справу
closure-open = Закрити цю справу…
closure-reason = Чому справу закрито?
closure-notes = Примітки (за бажанням)
closure-submit = Закрити справу
closure-done = Справу закрито.
closure-error-reason = Оберіть, чому справу закрито.
closure-support_completed = Підтримку завершено
closure-person_withdrew = Особа відмовилася
closure-left_country = Особа виїхала з країни
closure-lost_contact = Зв'язок втрачено
closure-transferred = Передано до іншої установи
closure-duplicate = Дублікат іншої справи
closure-deceased = Особа померла
closure-other = Інша причина

## Звернення
requests-title = Звернення від імені особи
request-reconsideration-title = Попросити переглянути негативне рішення
request-reconsideration-hint = Наприклад, коли з'явилися нові відомості. Особа, що ухвалює рішення, побачить це звернення.
request-early-title = Особа просить ухвалити остаточне рішення зараз
request-early-hint = Особа може попросити про остаточне рішення до завершення періоду відновлення.
request-submit = Записати звернення
request-recorded = Звернення записано.

## Анонімне повідомлення
notify-title = Урахувати без ідентифікації
notify-intro = Повнолітню особу, яка не погоджується на направлення, все одно можна врахувати, щоб торгівля людьми була видна в статистиці. Тут немає нічого, що ідентифікує особу, і справа не відкривається.
notify-link = Натомість урахувати особу анонімно.
notify-age = Вікова група
notify-age-unknown = Невідомо
notify-child-hint = Дитину або особу, яка може бути дитиною, завжди направляють: скористайтеся «Новим направленням».
notify-region = Регіон (за бажанням)
notify-submit = Урахувати анонімно
notify-done = Ураховано. Нічого, що ідентифікує особу, не записано.
notify-error-age = Дитину направляють, а не лише враховують: скористайтеся «Новим направленням».
notify-error-region = Назва регіону має містити від 1 до 100 символів.

## Захист даних (стирання, доступність бази даних)
error-erased = Цю справу стерто: її зміст більше неможливо прочитати. Запис про те, що вона існувала і була стерта, зберігається.
error-unavailable = База даних зараз недоступна. Нічого не змінено; спробуйте ще раз за мить.
## Підтримка, права і правосуддя (issue 5)
right-information = Інформація про права мовою, зрозумілою особі
right-interpretation = Письмовий і усний переклад
right-accommodation = Безпечне житло і матеріальна допомога
right-psychological_assistance = Психологічна допомога
right-medical_treatment = Невідкладна і необхідна медична допомога
right-legal_assistance = Юридичні консультації, допомога і безоплатна правова допомога
right-recovery_period = Період відновлення і роздумів
right-residence_permit = Посвідка на проживання з можливістю продовження
right-compensation = Компенсація
right-non_punishment = Звільнення від покарання
right-privacy = Захист приватного життя і особи
right-protection_from_intimidation = Захист від залякування
right-labour_market_education = Доступ до роботи, професійного навчання та освіти
right-education_child = Освіта для дитини
right-safe_return = Безпечне, переважно добровільне повернення
right-assistance_unconditional = Допомога без умови співпраці
right-informed_consent = Поінформована згода на послуги
right-guardian = Опікун без зволікання
right-best_interests_assessment = Оцінка найкращих інтересів дитини
right-status-not_yet_informed = Ще не поінформовано
right-status-informed = Поінформовано
right-status-requested = Запитано
right-status-granted = Надано
right-status-refused = Відмовлено
right-status-waived = Особа відмовилася
right-status-not_applicable = Не застосовується
service-kind-accommodation = Безпечне житло
service-kind-emergency_medical = Невідкладна медична допомога
service-kind-psychological = Психологічна підтримка
service-kind-legal_counselling = Юридичні консультації
service-kind-legal_aid = Правова допомога
service-kind-interpretation = Усний переклад
service-kind-material_assistance = Матеріальна допомога
service-kind-education = Освіта
service-kind-vocational_training = Професійне навчання
service-kind-employment = Працевлаштування
service-kind-family_tracing = Розшук родини
service-kind-return_reintegration = Допомога з поверненням і реінтеграцією
service-kind-child_care = Спеціальна допомога дітям
referral-status-referred = Направлено, очікує на надавача
referral-status-accepted = Прийнято
referral-status-declined = Відхилено
referral-status-started = Розпочато
referral-status-completed = Завершено
referral-status-withdrawn = Відкликано
cooperation-cooperating = Співпрацює з органами влади
cooperation-declined = Відмовилася співпрацювати
cooperation-undecided = Ще не вирішила
solution-integration = Інтеграція
solution-return = Добровільне повернення
solution-resettlement = Переселення
bi-kind-assessment = Оцінка найкращих інтересів
bi-kind-determination = Визначення найкращих інтересів
handover-kind-assign = Доручено в межах організації
handover-kind-transfer = Передано іншій організації
handover-kind-refer = Надано доступ іншій організації
closure-integrated = Інтегрована
closure-returned = Повернулася
closure-transferred_abroad = Передано за кордон
closure-declined_further_support = Відмовилася від подальшої підтримки
closure-not_identified = Не ідентифіковано
event-right_recorded = Записано право
event-needs_assessed = Оцінено потреби
event-service_referred = Направлено до служби
event-service_referral_updated = Оновлено направлення до служби
event-guardian_named = Призначено опікуна
event-best_interests_recorded = Записано найкращі інтереси
event-family_tracing_requested = Розшук родини
event-transition_plan_recorded = План переходу до дорослого життя
event-justice_recorded = Записано правосуддя і відшкодування
event-durable_solution_chosen = Ухвалено довгострокове рішення
event-follow_up_recorded = Подальший контакт
event-handover_recorded = Передача справи
event-transfer_answered = Відповідь на передачу
## Family tracing (tracing requests, candidates, consent)
event-family_tracing_consent_recorded = Записано згоду на розшук родини
tracing-consent-given = Особа погоджується на розшук родини.
tracing-consent-withdrawn = Особа не погоджується на розшук родини.
nav-tracing = Розшук родини
tracing-title = Розшук родини
tracing-intro = Родич, який шукає зниклу людину, найчастіше дитину, подає запит на розшук через вашу організацію. Harbour шукає серед справ, у яких розшук дозволено, і показує кандидатів для перевірки фахівцем служби у справах дітей.
tracing-list-title = Запити вашої організації
tracing-none = Запитів на розшук ще немає.
tracing-new-title = Новий запит на розшук
tracing-new-intro = Запишіть імена так, як їх пише родина, будь-якою абеткою; зменшувальні імена та інше написання допомагають. Іншим організаціям видно лише те, що запит існує.
tracing-sought = Кого шукають
tracing-names-hint = Принаймні ім'я або прізвище, будь-якою абеткою (наприклад, Сашко).
tracing-given2 = Інше написання: ім'я
tracing-family2 = Інше написання: прізвище
tracing-birth-year = Рік народження, якщо відомий
tracing-age = Або: вік зараз, приблизно
tracing-age-hint = У роках. Залиште порожнім, якщо рік народження відомий.
tracing-place = Місце народження або де бачили востаннє
tracing-mother = Ім'я матері
tracing-father = Ім'я батька
tracing-requester = Хто звертається
tracing-relationship = Ким доводиться розшукуваній особі
tracing-requester-name = Ім'я заявника (необов'язково)
tracing-contact = Як ваша організація зв'яжеться із заявником
tracing-contact-hint = Бачить лише ваша організація.
tracing-basis = Правова підстава розшуку
tracing-basis-hint = Дитину шукають на підставі повноважень із захисту дітей, не чекаючи згоди.
tracing-notes = Примітки (необов'язково)
tracing-submit = Подати запит
tracing-filed = Запит подано, розшук триває.
tracing-withdrawn = Запит відкликано, розшук припинено.
tracing-filed-on = Подано { $date }
tracing-request-title = Запит на розшук
tracing-birth = Народження
tracing-candidates-title = Можливі збіги
tracing-no-candidates = Наразі можливих збігів немає.
tracing-verify-hint = Це кандидати, а не збіги: перевірте з родиною та дитиною, перш ніж щось розкривати.
tracing-withdraw-title = Відкликати запит
tracing-withdraw-hint = Коли заявник відкликає запит або свою згоду. Розшук припиняється одразу.
tracing-withdraw-submit = Відкликати
tracing-case-title = Запити на розшук, які можуть стосуватися цієї особи
tracing-case-basis-mandate = Розшук на підставі повноважень із захисту дітей.
tracing-case-basis-consent = Розшук за згодою особи на розшук родини.
tracing-case-not-searched = Розшук не ведеться: особа не дала згоди на розшук родини.
tracing-request-by = Запит подала організація { $org }
tracing-probability = Збіг { $percent } %
tracing-field-given-name = Ім'я
tracing-field-surname = Прізвище
tracing-field-birth = Народження
tracing-field-sex = Стать
tracing-field-place = Місце
tracing-field-parents = Імена батьків
tracing-level-same = однакове
tracing-level-lexicon = те саме ім'я в іншій формі (зменшувальна, російська чи українська форма)
tracing-level-sex-form = те саме прізвище в іншій родовій формі
tracing-level-similar = дуже схоже написання
tracing-level-somewhat = дещо схоже написання
tracing-level-exact = точно збігається
tracing-level-typo = відрізняється одна цифра або переставлено день і місяць
tracing-level-year-month = збігаються рік і місяць
tracing-level-year = збігається рік
tracing-level-estimate = у межах року або оцінки віку
tracing-level-different = різне
tracing-basis-consent-of-requester = Згода заявника
tracing-basis-child-protection-mandate = Повноваження із захисту дітей (шукають дитину)
tracing-basis-court-order = Рішення суду
tracing-status-open = Відкритий
tracing-status-matched = Знайдено
tracing-status-closed = Закритий
tracing-status-withdrawn = Відкликаний
tracing-relationship-mother = Мати
tracing-relationship-father = Батько
tracing-relationship-grandparent = Дідусь або бабуся
tracing-relationship-sibling = Брат або сестра
tracing-relationship-other-relative = Інший родич
tracing-relationship-legal-guardian = Законний опікун
tracing-error-year = Вкажіть рік народження, наприклад 2015.
tracing-error-age = Вкажіть вік у роках, наприклад 9.
tracing-error-relationship = Оберіть, ким заявник доводиться розшукуваній особі.
tracing-error-basis = Оберіть правову підставу розшуку.
tracing-error-names = Вкажіть принаймні ім'я або прізвище розшукуваної особи.
tracing-error-birth = Дата народження не може бути в майбутньому.
tracing-error-mandate = Повноваження із захисту дітей стосуються лише дитини; для дорослого оберіть згоду або рішення суду.
tracing-error-contact = Вкажіть, як ваша організація зв'яжеться із заявником.
tracing-error-text = Текст порожній або задовгий; перевірте поля.
tracing-filed-label = Подано
tracing-consent-label = Особа також погоджується на розшук родини
tracing-consent-hint = Тоді родичам, які шукають особу, можуть повідомити про можливий збіг. Без цієї згоди справу дорослого ніколи не включають до розшуку родини.
nav-service-referrals = Направлення до служб
support-recorded = Записано.
support-not-recorded = Ще не записано
support-error-reason = Для відмови в праві потрібна її причина.
support-error-child-views = Запишіть думку самої дитини.
support-error-invalid = Деякі відповіді відсутні або неправильні; перевірте форму.
support-rights-title = Права, послуги і правосуддя
support-rights-overdue = { $count ->
    [one] { $count } право вже належить, але не забезпечене
    [few] { $count } права вже належать, але не забезпечені
   *[other] { $count } прав вже належать, але не забезпечені
}
support-right-open = Записати стан права
support-right = Право
support-status = Стан
support-reason = Причина (потрібна при відмові)
support-reason-hint = Хто відмовив і чому, як написано в рішенні.
support-right-submit = Записати
support-services-title = Потреби і послуги
support-no-needs = Потреби ще не оцінено.
support-needs = Потреби
support-referred-on = направлено { $date }
support-accepted-on = прийнято { $date }
support-best-interests-title = Найкращі інтереси дитини
support-best-interests-open = Записати оцінку або визначення
support-bi-kind = Вид
support-bi-conclusion = Висновок
support-bi-submit = Записати
support-justice-title = Правосуддя і відшкодування
support-cooperation = Співпраця з органами влади
support-durable-solution = Довгострокове рішення
support-unconditional = Підтримка ніколи не залежить від співпраці (ст. 12(6) Конвенції).
support-cooperation-submit = Записати вибір особи
provider-inbox-title = Направлення до служб
provider-inbox-intro = Направлення до служб вашої організації. Ви бачите те, що потрібно службі, а не справу.
provider-inbox-empty = Направлень ще немає.
provider-referral-title = Направлення до служби { $reference }
provider-need-to-know = Показано лише те, що потрібно цій службі.
provider-need = Потреба
provider-minority = Вікова група
provider-languages = Мови
provider-consent = Згода на цю послугу
provider-referred = Направлено
provider-need-notes = Словами особи
provider-priority = Пріоритет для особи
provider-accepted = Прийнято
provider-decline-reason = Причина відмови
provider-steps-title = Ваша відповідь
provider-step-accept = Прийняти
provider-step-start = Розпочати послугу
provider-step-complete = Завершити послугу
provider-step-decline = Відхилити
provider-step-done = Готово.
provider-error-reason = Вкажіть, чому направлення відхилено.
support-error-consent = Для послуги потрібна поінформована згода особи (для дитини — згода опікуна і думка дитини).
support-error-needs = Виберіть хоча б одну потребу.
support-needs-open = Записати оцінку потреб
support-priorities = Що найважливіше для особи, її словами
support-needs-submit = Записати потреби
support-offer = { $kind }: { $name } (вільних місць: { $free })
support-offer-label = Відповідні служби, найкращі першими
support-informed-consent = Особу поінформовано, і вона погоджується на цю послугу
support-guardian-consent = Опікун погоджується на цю послугу
support-refer-submit = Направити до цієї служби
error-service-unsuitable = Ця служба не може прийняти направлення: немає місць, або вона не підходить особі чи потребі.
error-best-interests-determination = Для довгострокового рішення щодо дитини спочатку потрібне визначення найкращих інтересів (для повернення — на користь повернення).
error-open-service-referrals = { $count ->
    [one] { $count } прийняте направлення до служби ще відкрите: вкажіть, чи триває воно після закриття, чи відкликається.
    [few] { $count } прийняті направлення до служб ще відкриті: вкажіть, чи тривають вони після закриття, чи відкликаються.
   *[other] { $count } прийнятих направлень до служб ще відкриті: вкажіть, чи тривають вони після закриття, чи відкликаються.
}
closure-open-referrals = Прийняті направлення до служб, що ще відкриті (якщо є)
closure-open-referrals-continue = Підтримка триває у надавача після закриття
closure-open-referrals-withdraw = Відкликати їх разом із закриттям
## Security: second factor, login throttling, break-glass (secauth)
error-login-throttled = Забагато невдалих спроб для цього облікового запису або з цього місця. Зачекайте кілька хвилин і спробуйте знову.
mfa-title = Введіть код
mfa-intro = Відкрийте застосунок-автентифікатор на телефоні та введіть 6-значний код, який він показує для Harbour. Якщо ви втратили телефон, введіть один із резервних кодів.
mfa-enrol-title = Налаштуйте автентифікатор
mfa-enrol-intro = Ваш обліковий запис входить із другим кроком. Відскануйте цей QR-код застосунком-автентифікатором (наприклад, FreeOTP, Aegis або Google Authenticator), а потім введіть 6-значний код, який він покаже.
mfa-enrol-manual = Не вдається відсканувати? Введіть у застосунок цей ключ:
mfa-qr-label = QR-код, щоб додати Harbour до застосунку-автентифікатора
mfa-code = Код
mfa-code-hint = 6 цифр із застосунку або резервний код на кшталт abcde-fghij.
mfa-code-hint-enrol = 6 цифр, які застосунок показує зараз.
mfa-submit = Продовжити
mfa-error-code-missing = Введіть код із застосунку-автентифікатора.
mfa-error-code-wrong = Цей код неправильний або вже використаний. Дочекайтеся наступного коду й спробуйте знову.
mfa-recovery-title = Ваші резервні коди
mfa-recovery-intro = Зберігайте ці коди в надійному місці, окремо від телефону. Кожен дозволяє один раз увійти, якщо ви втратите телефон. Їх показано лише зараз.
mfa-recovery-continue = Я їх зберіг(ла): продовжити
break-glass-title = Екстрений доступ
break-glass-intro = Ваша організація не бере участі в цій справі. У надзвичайній ситуації ви можете відкрити її на кілька годин. Ваше ім’я, час і причину буде записано, їх перевіряють аудитори.
break-glass-reason = Чому вам потрібна ця справа зараз?
break-glass-reason-hint = Щонайменше 10 символів. Не пишіть ім’я людини.
break-glass-submit = Відкрити справу в екстреному порядку
break-glass-error-reason = Поясніть, чому вам потрібна ця справа зараз, щонайменше 10 символами (не більше 500).
break-glass-offer = Якщо це надзвичайна ситуація і справа існує, ви можете попросити екстрений доступ.
break-glass-link = Екстрений доступ
audit-break-glass-title = Екстрений доступ (останні 30 днів)
audit-break-glass-intro = Кожен випадок, коли хтось відкрив справу, у якій його організація не бере участі, з причиною. Перевірте кожен.
audit-break-glass-none = За останні 30 днів екстреним доступом ніхто не користувався.
audit-break-glass-until = до { $until }
audit-break-glass-reason = Причина: { $reason }
# ----- statistics (issue 7) -----
nav-statistics = Статистика
stats-title = Статистика
stats-note = Пораховано з журналів справ. Жодне число менше за { $k } не показано ([x] — приховано, також там, де підсумок розкрив би приховане число); кожне число округлено вниз до кратного { $resolution }. Дані станом на { $asof }.
stats-headline = Основні показники
stats-referrals = Направлення
stats-children = Діти на момент експлуатації
stats-rg-positive = Позитивні рішення про наявність обґрунтованих підстав
stats-cg-positive = Позитивні остаточні рішення
stats-notifications = Анонімні повідомлення
stats-chart-title = Направлення за кварталами
stats-chart-desc = Стовпчикова діаграма направлень за кварталами; пунктирна рамка з позначкою x — прихований квартал.
stats-chart-legend = Пунктирна рамка з позначкою x: замало направлень для публікації.
stats-suppressed = приховано
stats-not-applicable = н/з
stats-not-applicable-note = н/з — не застосовується: така комбінація неможлива (наприклад, результат до рішення або прострочення права без строку), тож вона дорівнює нулю за визначенням і ніколи не приховується.
stats-late-title = Прострочене зараз (лише кількість)
stats-total = Усього
stats-count = Кількість
stats-median = Медіана
stats-p90 = 90-й процентиль
stats-within-target = У встановлений строк
stats-measure = Показник
stats-table-quarter = Направлення за кварталами та віком на момент експлуатації
stats-table-form = Направлення за формами експлуатації та віком на момент експлуатації
stats-table-referrer = Направлення за видом суб'єкта первинного виявлення
stats-table-rg = Рішення про обґрунтовані підстави за кварталами та результатом
stats-table-cg = Остаточні рішення за кварталами та результатом
stats-table-notifications = Анонімні повідомлення за кварталами
stats-table-timeliness = Час від направлення до рішення та до призначення опікуна дитині
stats-age-adult = Доросла особа (18+)
stats-age-child = Дитина (до 17 років включно)
stats-age-unknown = Не зазначено
stats-outcome-positive = Позитивне
stats-outcome-negative = Негативне
stats-outcome-none = Ще не ухвалено
stats-dim-quarter = Квартал направлення
stats-dim-exploitation_form = Форма експлуатації
stats-dim-referrer_kind = Суб'єкт первинного виявлення
stats-dim-reasonable_grounds_quarter = Квартал рішення
stats-dim-conclusive_grounds_quarter = Квартал рішення
stats-unit-days = дн.
stats-unit-hours = год
stats-measure-reasonable_grounds = Рішення про обґрунтовані підстави
stats-measure-conclusive_grounds = Остаточне рішення
stats-measure-guardian_appointment = Призначення опікуна
stats-late-reasonable_grounds_overdue = Прострочені рішення про обґрунтовані підстави
stats-late-awaiting_conclusive_grounds = Очікують остаточного рішення
stats-late-guardian_not_appointed = Діти без опікуна після спливу строку
stats-late-guardian_appointed_late = Опікуни, призначені із запізненням

# Second factor: administrator reset and new recovery codes (issue 6)
nav-recovery-codes = Коди відновлення
admin-second-factor-reset = Скинути другий фактор
admin-second-factor-reset-for = Скинути другий фактор: { $email }
admin-second-factor-reset-hint = Скидайте другий фактор лише після того, як особисто або дзвінком на відомий вам номер переконалися, хто звертається і що автентифікатор втрачено. Усі сеанси користувача завершаться, а під час наступного входу він налаштує новий автентифікатор. Скидання записується в журнал доступу.
admin-second-factor-reset-done = Другий фактор скинуто. Під час наступного входу користувач налаштує новий автентифікатор.
account-recovery-title = Нові коди відновлення
account-recovery-intro = { $count ->
    [one] У вас { $count } невикористаний код відновлення.
    [few] У вас { $count } невикористані коди відновлення.
   *[other] У вас { $count } невикористаних кодів відновлення.
} Щоб отримати десять нових, підтвердьте, що це ви: введіть пароль і код, який зараз показує застосунок-автентифікатор. Усі попередні коди перестануть діяти.
account-recovery-submit = Створити нові коди відновлення
account-recovery-error-password = Введіть свій поточний пароль.
account-recovery-key-title = Підтвердьте ключем безпеки
account-recovery-key-submit = Використати ключ безпеки й створити нові коди
account-recovery-or-code = Або підтвердьте кодом із застосунку-автентифікатора
account-recovery-key-needs-javascript = Для підтвердження ключем безпеки потрібен JavaScript, а в цьому браузері його вимкнено.
account-recovery-key-required = Ваша організація вимагає підтверджувати дії ключем безпеки: коди для вашого облікового запису не приймаються.
account-recovery-error-key = Ключ безпеки не прийнято. Введіть пароль і спробуйте ще раз.

# An erased case's page (issue 6)
case-erased-title = Цю справу стерто
case-erased-reference = Справа
case-erased-when = Стерто
case-erased-why = Чому
case-erased-basis-person-request = На прохання особи, за рішенням компетентного органу
case-erased-basis-retention = Сплив строк зберігання за національною політикою
case-erased-what = Усе про особу стерто: імена, дати народження, контакти, розповідь про те, що сталося, обґрунтування рішень, нотатки та скринінги. Ключ знищено, тож ніхто більше не зможе це прочитати, навіть адміністратор.
case-erased-kept = Що лишилося: цей номер, дати й види кроків у справі (щоб запис і далі можна було перевірити на підробку) та анонімні підрахунки в статистиці.
# Прострочені права у списках, правосуддя і відшкодування, захист дитини, подальші контакти, передання справ
filter-rights-overdue = Лише з простроченими правами
cases-rights-overdue = { $count ->
    [one] { $count } право прострочене
    [few] { $count } права прострочені
   *[other] { $count } прав прострочено
}
alert-rights_overdue = Право вже належить, але не забезпечене
support-child-title = Опікун дитини, родина і повноліття
support-named-guardian = Опікун (особа та організація)
support-family-tracing = Розшук родини
support-family-tracing-yes = Запитано
support-family-tracing-no = Не запитано
support-family-tracing-requested = Запитано розшук родини
support-family-tracing-submit = Зберегти розшук родини
support-transition-plan = План переходу до дорослого життя
support-transition-needed = Дитині виповнилося 18: потрібен план переходу до дорослого життя.
support-transition-hint = Що триває після 18: житло, передання від опікуна, навчання, проживання.
support-transition-submit = Записати план
support-name-guardian-open = Призначити опікуна (особа та організація)
support-guardian-name = Ім'я опікуна
support-guardian-organisation = Організація опікуна
support-name-guardian-submit = Призначити опікуна
support-legal-representative = Юридичний представник
support-proceeding = Провадження
support-proceedings = Провадження та їхня стадія
support-proceeding-kind = Вид (кримінальне, цивільне, трудове)
support-proceeding-stage = Стадія (розслідування, суд, апеляція, закрите)
support-protection-measures = Заходи захисту
support-one-per-line = По одному в рядку.
support-residence-permit = Дозвіл на проживання
support-residence-permits = Заяви на дозвіл на проживання
support-permit-basis = Підстава
support-permit-outcome = Результат (подано, надано, відмовлено, продовжено)
support-permit-applied-on = Дата заяви
support-compensation = Відшкодування
support-compensation-hint = Суми в одиницях валюти, наприклад 1500 або 1500.50; валюта трилітерним кодом (EUR, UAH).
support-compensation-from = Відшкодування від: { $from }
support-compensation-who = Від кого (кривдник або держава)
support-claimed = Заявлено
support-awarded = Присуджено
support-paid = Виплачено
support-currency = Валюта
support-non-punishment = Непокарання
support-np-requested = Запитано
support-np-not_requested = Не запитано
support-np-outcome = Результат запиту про непокарання
support-justice-open = Записати правосуддя і відшкодування
support-risk-assessment = Оцінка ризиків і безпеки
support-risk-hint = Потрібна для повернення: ризики для особи та її родини в країні повернення.
support-solution-open = Вирішити щодо довготривалого рішення
support-solution-country = Країна (дволітерний код)
support-solution-country-hint = Для повернення чи переселення, наприклад UA або MD.
support-solution-submit = Записати довготривале рішення
support-follow-ups-title = Подальші контакти
support-follow-up-notes = Що обговорили й про що домовилися
support-follow-up-submit = Записати контакт
support-handovers-title = Передання справи
support-no-handovers = Справу не передавали.
support-handover-open = Доручити, передати або скерувати справу
support-handover-kind = Вид передання
support-handover-hint = Доручити: колезі. Передати: інша організація бере справу, щойно погодиться. Скерувати: інша організація має доступ для певної мети, а справа лишається у вас.
support-handover-user = Колега (для доручення)
support-handover-org = Організація (для передання чи скерування)
support-handover-purpose = Мета
support-handover-consent = Особа погоджується на передання
support-handover-submit = Передати
handover-status-offered = очікує відповіді організації
handover-status-accepted = прийнято
handover-status-declined = відхилено
handover-status-done = виконано
support-error-risk-assessment = Повернення потребує записаної оцінки ризиків і безпеки.
support-error-country = Вкажіть країну дволітерним кодом, наприклад UA.
support-error-handover-consent = Справу дорослої особи передають іншій організації лише за її згодою.
support-error-handover-to = Оберіть, кому йде справа: колегу для доручення, організацію для передання чи скерування.
support-error-guardian = Вкажіть ім'я та організацію опікуна.
support-error-amount = Сума недійсна: пишіть, як-от 1500 або 1500.50.
support-error-justice-item = Провадженню потрібні вид і стадія; дозволу на проживання — підстава і результат.
support-error-text = Напишіть щось у текстовому полі.
nav-transfers = Передання
transfers-title = Справи, передані вашій організації
transfers-intro = Справи, які інша організація пропонує передати вашій. Ви побачите справу, коли приймете її; відмова лишає її в тієї організації.
transfers-empty = Жодне передання не очікує.
transfers-from = від { $org }
transfers-offered-on = запропоновано { $date }
transfers-accept = Прийняти справу
transfers-decline = Відхилити
transfers-declined = Відхилено: справа лишається в організації, що її запропонувала.
transfers-accepted = Тепер справа належить вашій організації.
stats-measure-service_acceptance = Направлення до послуги прийнято
stats-rights-title = Доступ до прав
stats-rights-table = Права осіб, які мають на них право: поінформовано, надано, відмовлено, відмовилися, із запізненням
stats-rights-right = Право
stats-rights-eligible = Особи, які мають право
stats-rights-informed = Поінформовано
stats-rights-granted = Надано
stats-rights-refused = Відмовлено
stats-rights-waived = Особа відмовилася
stats-rights-late = Із запізненням
stats-rights-granted-share = Надано (частка)
stats-rights-late-share = Із запізненням (частка)
stats-rights-all = Усі права (пари особа й право)
stats-rights-chart-title = Особи, яким надано кожне право
stats-rights-chart-desc = Горизонтальна стовпчикова діаграма осіб, яким надано кожне право; пунктирна рамка з x — прихований показник.
stats-rights-chart-legend = Пунктирна рамка з x: надто мало осіб для оприлюднення.
stats-rights-late-title = Права із запізненням станом на { $day } (лише кількість)
stats-redress-title = Компенсація і співпраця
stats-redress-claimed = Компенсацію заявлено
stats-redress-awarded = Компенсацію присуджено
stats-redress-paid = Компенсацію виплачено
stats-redress-declined = Відмовилися від співпраці з органами влади
stats-redress-continuing = Відмовилися від співпраці, а підтримка тривала
stats-redress-amount = { $stage }: сума, { $currency }
stats-redress-amounts-suppressed = Суми компенсацій не показано: надто мало випадків для оприлюднення.

# A user's own account: sessions and security notices (issue 6: ASVS 7.5.2, 6.3.7, 6.3.5)
nav-account = Ваш обліковий запис
account-title = Ваш обліковий запис
error-title = Щось пішло не так
sessions-title = Ваші сеанси
sessions-intro = Тут перелічено, де ви зараз увійшли в Harbour. Якщо якийсь сеанс вам незнайомий, завершіть його і повідомте адміністратора.
sessions-kind-web = Браузер
sessions-kind-api = Програма (API)
sessions-current = цей браузер
sessions-started = Вхід
sessions-last-used = Востаннє використано
sessions-ends = Завершиться, якщо не використати до
sessions-end = Завершити цей сеанс
sessions-end-current = Вийти тут
sessions-end-others = Завершити всі інші сеанси
notices-title = Сповіщення безпеки
notices-intro = Тут Harbour повідомляє, коли змінено ваш спосіб входу або коли хтось невдало намагався увійти у ваш обліковий запис.
notices-none = Сповіщень безпеки для вашого облікового запису немає.
notices-new = нове
notices-banner-title = Сповіщення безпеки щодо вашого облікового запису
notices-acknowledge = Я прочитав(-ла) це
notices-all = Усі сповіщення безпеки
notice-second-factor-reset = Адміністратор скинув ваш другий фактор, і ви налаштували новий автентифікатор. Якщо ви про це не просили, негайно повідомте адміністратора.
notice-recovery-codes-renewed = Ваші коди відновлення оновлено: попередні коди більше не діють, а інші ваші сеанси завершено. Якщо це були не ви, негайно повідомте адміністратора.
notice-failed-sign-ins = { $count ->
    [one] Перед вашим останнім входом була { $count } невдала спроба увійти у ваш обліковий запис.
    [few] Перед вашим останнім входом було { $count } невдалі спроби увійти у ваш обліковий запис.
   *[other] Перед вашим останнім входом було { $count } невдалих спроб увійти у ваш обліковий запис.
} Якщо це були не ви, повідомте адміністратора.

## Security keys (WebAuthn)
keys-title = Ключі безпеки
keys-intro = Ключ безпеки (ключ FIDO2 або ключ доступу) дає змогу увійти одним дотиком, і його не обдурить підроблений сайт. Ним можна користуватися замість коду із застосунку-автентифікатора.
keys-none = У вас ще немає ключа безпеки.
keys-list-caption = Ваші ключі безпеки
keys-name = Назва ключа
keys-name-hint = Назва, щоб розрізняти ключі, наприклад «синій ключ».
keys-added = Додано
keys-last-used = Востаннє використано
keys-never-used = Ніколи
keys-remove = Видалити
keys-add-title = Додати ключ безпеки
keys-add = Додати ключ безпеки
keys-needs-javascript = Щоб додати ключ безпеки або скористатися ним, потрібен JavaScript, а в цьому браузері його вимкнено. Коди із застосунку-автентифікатора й надалі діють.
keys-unsupported = Цей браузер не підтримує ключі безпеки. Коди із застосунку-автентифікатора й надалі діють.
keys-failed = Ключ безпеки не відповів, або ви скасували дію. Спробуйте ще раз.
keys-unavailable = На цьому сервері ключі безпеки не налаштовано. Зверніться до адміністратора.
keys-required = Ваша організація вимагає ключ безпеки для читання справ. Додайте його зараз: доти справи для вас закриті.
keys-error-name = Дайте ключу назву.
keys-error-rejected = Відповідь ключа безпеки не прийнято. Спробуйте додати його ще раз.
keys-error-duplicate = Цей ключ безпеки вже зареєстровано.
keys-error-last = Це ваш останній ключ безпеки, а ваша організація вимагає його мати. Спершу додайте інший ключ.
keys-sign-in-title = Увійти за допомогою ключа безпеки
keys-sign-in = Використати ключ безпеки
keys-sign-in-needs-javascript = Щоб увійти за допомогою ключа безпеки, потрібен JavaScript, а в цьому браузері його вимкнено. Введіть нижче код із застосунку-автентифікатора.
keys-or-code = Або введіть код
keys-error-sign-in = Ключ безпеки не прийнято. Спробуйте ще раз або введіть код із застосунку-автентифікатора.
notice-security-key-added = До вашого облікового запису додано ключ безпеки. Якщо це були не ви, негайно повідомте адміністратора.
notice-security-key-removed = З вашого облікового запису видалено ключ безпеки. Якщо це були не ви, негайно повідомте адміністратора.
keys-use-your-key = Ваша організація вимагає входити за допомогою ключа безпеки: коди для вашого облікового запису не приймаються.
